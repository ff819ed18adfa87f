// "Shops near me" through wx-server-sdk's geo commands and the $geoNear
// aggregation stage: wxsdk geo tests check what each query finds.
const cloud = require('wx-server-sdk');
cloud.init();
const db = cloud.database();
const _ = db.command;

exports.main = async (event) => {
  const c = db.collection(event.coll);
  const here = event.lng === undefined ? null : db.Geo.Point(event.lng, event.lat);
  if (event.action === 'aggregate') {
    // The aggregation stage: each shop with its distance in metres.
    const $ = _.aggregate;
    try {
      const { list, errMsg } = await c
        .aggregate()
        .geoNear({ near: here, spherical: true, distanceField: 'distance', maxDistance: event.max, query: event.query })
        .limit(5)
        .project({ _id: 1, m: $.trunc(['$distance', 0]) })
        .end();
      return { list, errMsg };
    } catch (e) {
      return { errCode: e.errCode, errMsg: e.errMsg };
    }
  }
  let query;
  switch (event.action) {
    case 'near':
      query = c.where({ location: _.geoNear({ geometry: here, maxDistance: event.max, minDistance: event.min }) });
      break;
    case 'circle':
      query = c.where({ location: _.geoWithin({ centerSphere: [here, event.radius] }) }).orderBy('_id', 'asc');
      break;
    case 'zone':
      query = c.where({
        location: _.geoWithin({
          geometry: db.Geo.Polygon([db.Geo.LineString(event.ring.map(([lng, lat]) => db.Geo.Point(lng, lat)))]),
        }),
      }).orderBy('_id', 'asc');
      break;
    case 'touches':
      query = c.where({ location: _.geoIntersects({ geometry: here }) }).orderBy('_id', 'asc');
      break;
  }
  try {
    const { data, errMsg } = await query.get();
    const first = data[0] && data[0].location;
    return {
      ids: data.map((d) => d._id),
      errMsg,
      // Locations come back as db.Geo values, as in CloudBase.
      firstIsGeo: first instanceof db.Geo.Point,
      first: first && [first.longitude, first.latitude],
    };
  } catch (e) {
    return { errCode: e.errCode, errMsg: e.errMsg };
  }
};
