package openapi

import (
	"net/http"
	"slices"
	"strings"
)

// API is one of WeChat's server APIs, by the name cloud.openapi gives it
// ("wxacode.getUnlimited"): where it is and how it is called.
type API struct {
	Path   string // below the base URL: "/wxa/getwxacodeunlimit"
	Method string // http.MethodPost (parameters as a JSON body) or http.MethodGet (in the URL)
	// File: the answer is a file (an image, a media file) when it
	// succeeds; WeChat's failures are JSON either way. Otherwise it is JSON.
	File bool
	// Upload: the API takes files (multipart/form-data, Request.Files);
	// its other parameters go in the URL.
	Upload bool
	// Query names the parameters of a POST that go in the URL.
	Query []string
	// Names maps wx-server-sdk's snake_case name of a parameter to
	// WeChat's, for the APIs whose parameters WeChat spells in camelCase
	// (kidList): wx-server-sdk turns every name to snake_case first.
	Names map[string]string
}

// Lookup returns the API called name ("wxacode.getUnlimited"), and
// whether there is one.
func Lookup(name string) (API, bool) {
	a, ok := apis[name]
	return a, ok
}

// APIs returns the names of every API Lookup knows, sorted.
func APIs() []string {
	names := make([]string, 0, len(apis))
	for n := range apis {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func post(path string) API { return API{Path: path, Method: http.MethodPost} }
func get(path string) API  { return API{Path: path, Method: http.MethodGet} }

// image is a POST whose answer is a file.
func image(path string) API { return API{Path: path, Method: http.MethodPost, File: true} }

// vision is an image API of WeChat's (OCR, crop, QR scan): the picture
// by URL (img_url) or uploaded (img), type and img_url in the URL.
func vision(path string) API {
	return API{Path: path, Method: http.MethodPost, Upload: true, Query: []string{"type", "img_url"}}
}

// apis is cloud.openapi's table: each name wx-server-sdk calls with, and
// the WeChat endpoint behind it (https://developers.weixin.qq.com/
// miniprogram/dev/OpenApiDoc/). Adding one is adding a row.
var apis = map[string]API{
	// 小程序码 / 二维码: images (a PNG or JPEG) on success.
	"wxacode.getUnlimited": image("/wxa/getwxacodeunlimit"),
	"wxacode.get":          image("/wxa/getwxacode"),
	"wxacode.createQRCode": image("/cgi-bin/wxaapp/createwxaqrcode"),

	// URL Scheme, URL Link, Short Link: open the mini-program from outside WeChat.
	"urlscheme.generate": post("/wxa/generatescheme"),
	"urlscheme.query":    post("/wxa/queryscheme"),
	"urllink.generate":   post("/wxa/generate_urllink"),
	"urllink.query":      post("/wxa/query_urllink"),
	"shortlink.generate": post("/wxa/genwxashortlink"),

	// 订阅消息.
	"subscribeMessage.send":                       post("/cgi-bin/message/subscribe/send"),
	"subscribeMessage.addTemplate":                {Path: "/wxaapi/newtmpl/addtemplate", Method: http.MethodPost, Names: map[string]string{"kid_list": "kidList", "scene_desc": "sceneDesc"}},
	"subscribeMessage.deleteTemplate":             {Path: "/wxaapi/newtmpl/deltemplate", Method: http.MethodPost, Names: map[string]string{"pri_tmpl_id": "priTmplId"}},
	"subscribeMessage.getCategory":                get("/wxaapi/newtmpl/getcategory"),
	"subscribeMessage.getPubTemplateKeyWordsById": get("/wxaapi/newtmpl/getpubtemplatekeywords"),
	"subscribeMessage.getPubTemplateTitleList":    get("/wxaapi/newtmpl/getpubtemplatetitles"),
	"subscribeMessage.getTemplateList":            get("/wxaapi/newtmpl/gettemplate"),
	"uniformMessage.send":                         post("/cgi-bin/message/wxopen/template/uniform_send"),
	"updatableMessage.createActivityId":           get("/cgi-bin/message/wxopen/activityid/create"),
	"updatableMessage.setUpdatableMsg":            post("/cgi-bin/message/wxopen/updatablemsg/send"),

	// 客服消息.
	"customerServiceMessage.send":            post("/cgi-bin/message/custom/send"),
	"customerServiceMessage.setTyping":       post("/cgi-bin/message/custom/typing"),
	"customerServiceMessage.uploadTempMedia": {Path: "/cgi-bin/media/upload", Method: http.MethodPost, Upload: true, Query: []string{"type"}},
	"customerServiceMessage.getTempMedia":    {Path: "/cgi-bin/media/get", Method: http.MethodGet, File: true},

	// 内容安全.
	"security.msgSecCheck":       post("/wxa/msg_sec_check"),
	"security.imgSecCheck":       {Path: "/wxa/img_sec_check", Method: http.MethodPost, Upload: true},
	"security.mediaCheckAsync":   post("/wxa/media_check_async"),
	"phonenumber.getPhoneNumber": post("/wxa/business/getuserphonenumber"),

	// 用户信息.
	"auth.getPaidUnionId":     get("/wxa/getpaidunionid"),
	"auth.checkEncryptedData": post("/wxa/business/checkencryptedmsg"),
	"auth.getPluginOpenPId":   post("/wxa/getpluginopenpid"),

	// 运维中心.
	"operation.getFeedback": get("/wxaapi/feedback/list"),
	"operation.realtimelogSearch": {Path: "/wxaapi/userlog/userlog_search", Method: http.MethodGet,
		Names: map[string]string{"trace_id": "traceId", "filter_msg": "filterMsg"}},

	// 数据分析.
	"analysis.getDailyRetain":       post("/datacube/getweanalysisappiddailyretaininfo"),
	"analysis.getWeeklyRetain":      post("/datacube/getweanalysisappidweeklyretaininfo"),
	"analysis.getMonthlyRetain":     post("/datacube/getweanalysisappidmonthlyretaininfo"),
	"analysis.getDailySummary":      post("/datacube/getweanalysisappiddailysummarytrend"),
	"analysis.getDailyVisitTrend":   post("/datacube/getweanalysisappiddailyvisittrend"),
	"analysis.getWeeklyVisitTrend":  post("/datacube/getweanalysisappidweeklyvisittrend"),
	"analysis.getMonthlyVisitTrend": post("/datacube/getweanalysisappidmonthlyvisittrend"),
	"analysis.getUserPortrait":      post("/datacube/getweanalysisappiduserportrait"),
	"analysis.getVisitDistribution": post("/datacube/getweanalysisappidvisitdistribution"),
	"analysis.getVisitPage":         post("/datacube/getweanalysisappidvisitpage"),

	// 图像处理与 OCR: a picture by img_url, or uploaded as img.
	"img.aiCrop":          vision("/cv/img/aicrop"),
	"img.scanQRCode":      vision("/cv/img/qrcode"),
	"img.superresolution": vision("/cv/img/superresolution"),
	"ocr.bankcard":        vision("/cv/ocr/bankcard"),
	"ocr.businessLicense": vision("/cv/ocr/bizlicense"),
	"ocr.driverLicense":   vision("/cv/ocr/drivinglicense"),
	"ocr.idcard":          vision("/cv/ocr/idcard"),
	"ocr.printedText":     vision("/cv/ocr/comm"),
	"ocr.vehicleLicense":  vision("/cv/ocr/driving"),

	// 小程序搜索, 服务市场, 红包封面.
	"search.submitPages":                  post("/wxa/search/wxaapi_submitpages"),
	"serviceMarket.invokeService":         post("/wxa/servicemarket"),
	"redpacketcover.getAuthenticationUrl": post("/redpacketcover/wxapp/cover_url/get_by_token"),
}

// queryParam reports whether the parameter named name (WeChat's name)
// of a belongs in the URL.
func (a API) queryParam(name string) bool {
	return a.Method == http.MethodGet || a.Upload || slices.Contains(a.Query, name)
}

// name is WeChat's name for the parameter wx-server-sdk calls n.
func (a API) name(n string) string {
	if w, ok := a.Names[n]; ok {
		return w
	}
	return n
}

// validName reports whether s looks like an API's name: module.method,
// letters and digits.
func validName(s string) bool {
	mod, fn, ok := strings.Cut(s, ".")
	return ok && ident(mod) && ident(fn)
}

func ident(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
