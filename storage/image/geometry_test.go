package image

import (
	"errors"
	"fmt"
	stdimage "image"
	"testing"
)

// TestPlanModes checks each imageView2 mode and each fit against the sizes
// COS's documentation gives (1000×500 source: /1/w/500/h/400 → 500×400
// from an 800×400 scale, /2 → 500×250, /3 → 800×400) and the mode rules
// for portrait sources and single sides.
func TestPlanModes(t *testing.T) {
	tests := []struct {
		query        string
		sw, sh       int
		wantW, wantH int // canvas
		wantCrop     stdimage.Rectangle
	}{
		// Mode 0: long edge ≤ w, short edge ≤ h.
		{query: "imageView2/0/w/400/h/300", sw: 1000, sh: 500, wantW: 400, wantH: 200},
		{query: "imageView2/0/w/400/h/300", sw: 500, sh: 1000, wantW: 200, wantH: 400},
		{query: "imageView2/0/w/400/h/150", sw: 1000, sh: 500, wantW: 300, wantH: 150},
		{query: "imageView2/0/w/400", sw: 500, sh: 1000, wantW: 200, wantH: 400}, // long edge only
		{query: "imageView2/0/h/100", sw: 500, sh: 1000, wantW: 100, wantH: 200}, // short edge only
		// Mode 1: cover and crop; one side gives a square.
		{query: "imageView2/1/w/500/h/400", sw: 1000, sh: 500, wantW: 500, wantH: 400, wantCrop: stdimage.Rect(187, 0, 812, 500)},
		{query: "imageView2/1/w/100", sw: 1000, sh: 500, wantW: 100, wantH: 100, wantCrop: stdimage.Rect(250, 0, 750, 500)},
		{query: "imageView2/1/w/100/h/400", sw: 400, sh: 400, wantW: 100, wantH: 400, wantCrop: stdimage.Rect(150, 0, 250, 400)},
		// Mode 2: width ≤ w, height ≤ h.
		{query: "imageView2/2/w/500/h/400", sw: 1000, sh: 500, wantW: 500, wantH: 250},
		{query: "imageView2/2/w/500/h/400", sw: 500, sh: 1000, wantW: 200, wantH: 400},
		{query: "imageView2/2/h/100", sw: 1000, sh: 500, wantW: 200, wantH: 100},
		{query: "imageView2/2/w/2000", sw: 1000, sh: 500, wantW: 1000, wantH: 500}, // never enlarges
		// Mode 3: width ≥ w, height ≥ h, no crop.
		{query: "imageView2/3/w/500/h/400", sw: 1000, sh: 500, wantW: 800, wantH: 400},
		{query: "imageView2/3/w/100", sw: 1000, sh: 500, wantW: 200, wantH: 100},
		// Mode 4: long edge ≥ w, short edge ≥ h, no crop.
		{query: "imageView2/4/w/500/h/400", sw: 1000, sh: 500, wantW: 800, wantH: 400},
		{query: "imageView2/4/w/500/h/100", sw: 500, sh: 1000, wantW: 250, wantH: 500},
		// Mode 5: mode 4, then crop the centre to long × short.
		{query: "imageView2/5/w/500/h/400", sw: 1000, sh: 500, wantW: 500, wantH: 400, wantCrop: stdimage.Rect(187, 0, 812, 500)},
		{query: "imageView2/5/w/500/h/400", sw: 500, sh: 1000, wantW: 400, wantH: 500, wantCrop: stdimage.Rect(0, 187, 500, 812)},
		{query: "imageView2/5/w/50", sw: 500, sh: 1000, wantW: 50, wantH: 50, wantCrop: stdimage.Rect(0, 250, 500, 750)},
		// The simple form.
		{query: "w=100", sw: 1000, sh: 500, wantW: 100, wantH: 50},
		{query: "h=100", sw: 1000, sh: 500, wantW: 200, wantH: 100},
		{query: "w=100&h=100", sw: 1000, sh: 500, wantW: 100, wantH: 100, wantCrop: stdimage.Rect(250, 0, 750, 500)},
		{query: "w=100&h=100&fit=contain", sw: 1000, sh: 500, wantW: 100, wantH: 100},
		{query: "w=100&h=100&fit=fill", sw: 1000, sh: 500, wantW: 100, wantH: 100},
		{query: "w=100&h=100&fit=inside", sw: 1000, sh: 500, wantW: 100, wantH: 50},
		{query: "w=100&h=100&fit=outside", sw: 1000, sh: 500, wantW: 200, wantH: 100},
		{query: "w=3", sw: 1000, sh: 1, wantW: 3, wantH: 1}, // never below one pixel
		{query: "format=png", sw: 640, sh: 480, wantW: 640, wantH: 480},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%dx%d", tt.query, tt.sw, tt.sh), func(t *testing.T) {
			p, _, err := ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			pl, err := planFor(tt.sw, tt.sh, p)
			if err != nil {
				t.Fatal(err)
			}
			if pl.canvasW != tt.wantW || pl.canvasH != tt.wantH {
				t.Errorf("result %d×%d, want %d×%d", pl.canvasW, pl.canvasH, tt.wantW, tt.wantH)
			}
			wantCrop := tt.wantCrop
			if wantCrop.Empty() {
				wantCrop = stdimage.Rect(0, 0, tt.sw, tt.sh)
			}
			if pl.crop != wantCrop {
				t.Errorf("crop %v, want %v", pl.crop, wantCrop)
			}
		})
	}
}

// TestPlanNeverEnlarges: a box bigger than the source never scales it up,
// in any mode: inside and outside keep the source, cover and fill shrink
// the box into the source keeping its shape, contain pads to the box's
// shape around the source.
func TestPlanNeverEnlarges(t *testing.T) {
	tests := []struct {
		query          string
		sw, sh         int
		scaledW, scalH int
		canvasW, canvH int
		crop           stdimage.Rectangle
	}{
		{"w=600", 300, 200, 300, 200, 300, 200, stdimage.Rect(0, 0, 300, 200)},
		{"imageView2/0/w/600/h/600", 300, 200, 300, 200, 300, 200, stdimage.Rect(0, 0, 300, 200)},
		{"imageView2/2/w/600/h/600", 300, 200, 300, 200, 300, 200, stdimage.Rect(0, 0, 300, 200)},
		{"imageView2/3/w/600/h/100", 300, 200, 300, 200, 300, 200, stdimage.Rect(0, 0, 300, 200)},
		{"imageView2/4/w/600/h/400", 300, 200, 300, 200, 300, 200, stdimage.Rect(0, 0, 300, 200)},
		{"w=600&h=600", 300, 200, 200, 200, 200, 200, stdimage.Rect(50, 0, 250, 200)},
		{"imageView2/1/w/500/h/400", 300, 200, 250, 200, 250, 200, stdimage.Rect(25, 0, 275, 200)},
		{"imageView2/5/w/600/h/400", 300, 200, 300, 200, 300, 200, stdimage.Rect(0, 0, 300, 200)},
		{"w=600&h=300&fit=fill", 300, 200, 300, 150, 300, 150, stdimage.Rect(0, 0, 300, 200)},
		{"w=150&h=600&fit=fill", 300, 200, 50, 200, 50, 200, stdimage.Rect(0, 0, 300, 200)},
		{"w=600&h=600&fit=contain", 300, 200, 300, 200, 300, 300, stdimage.Rect(0, 0, 300, 200)},
		{"w=100&h=600&fit=contain", 300, 200, 100, 67, 100, 600, stdimage.Rect(0, 0, 300, 200)},
		// The strip of the security report: 4096×4096 asked of 1×60000.
		{"w=4096&h=4096&fit=fill", 1, 60000, 1, 1, 1, 1, stdimage.Rect(0, 0, 1, 60000)},
		{"w=4096&h=4096", 1, 60000, 1, 1, 1, 1, stdimage.Rect(0, 29999, 1, 30000)},
		{"h=4096", 1, 60000, 1, 4096, 1, 4096, stdimage.Rect(0, 0, 1, 60000)},
		{"imageView2/2/w/4096/h/4096", 60000, 1, 4096, 1, 4096, 1, stdimage.Rect(0, 0, 60000, 1)},
		{"w=4096&h=4096&fit=contain", 1, 60000, 1, 4096, 4096, 4096, stdimage.Rect(0, 0, 1, 60000)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_%dx%d", tt.query, tt.sw, tt.sh), func(t *testing.T) {
			pl, err := planFor(tt.sw, tt.sh, mustParse(t, tt.query))
			if err != nil {
				t.Fatal(err)
			}
			if pl.scaledW != tt.scaledW || pl.scaledH != tt.scalH || pl.canvasW != tt.canvasW || pl.canvasH != tt.canvH || pl.crop != tt.crop {
				t.Errorf("scaled %d×%d on %d×%d from %v; want %d×%d on %d×%d from %v", pl.scaledW, pl.scaledH,
					pl.canvasW, pl.canvasH, pl.crop, tt.scaledW, tt.scalH, tt.canvasW, tt.canvH, tt.crop)
			}
			if pl.resized != (pl.scaledW != pl.crop.Dx() || pl.scaledH != pl.crop.Dy()) {
				t.Errorf("resized %v for %v → %d×%d", pl.resized, pl.crop, pl.scaledW, pl.scaledH)
			}
		})
	}
}

func TestPlanContainPads(t *testing.T) {
	p, _, _ := ParseQuery("w=100&h=100&fit=contain")
	pl, err := planFor(1000, 500, p)
	if err != nil {
		t.Fatal(err)
	}
	if pl.scaledW != 100 || pl.scaledH != 50 || pl.offsetX != 0 || pl.offsetY != 25 || !pl.padded {
		t.Errorf("plan %+v; want a 100×50 image at (0,25) on a 100×100 canvas", pl)
	}
}

func TestPlanTooLarge(t *testing.T) {
	for _, tt := range []struct {
		query  string
		sw, sh int
	}{
		{"imageView2/3/w/4000/h/4000", 100, 10000},   // covering makes the width 4000, the height 400000
		{"w=4000&h=4000&fit=outside", 10000, 100},    // the same in the simple form
		{"imageView2/0/h/4000", 10000, 5000},         // short edge 4000 makes the long one 8000
		{"format=png", 5000, 100},                    // no resize: the source is the result
		{"imageView2/2/w/4096/h/4096", 100000, 1000}, // fine: 4096×41
	} {
		p, _, err := ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		_, err = planFor(tt.sw, tt.sh, p)
		if tt.sw == 100000 {
			if err != nil {
				t.Errorf("%s on %d×%d: %v", tt.query, tt.sw, tt.sh, err)
			}
			continue
		}
		if !errors.Is(err, ErrLimit) {
			t.Errorf("%s on %d×%d: err %v, want ErrLimit", tt.query, tt.sw, tt.sh, err)
		}
	}
}
