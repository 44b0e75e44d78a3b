// The meal-point plan on a map of Leshan: the counties' outlines (served by the
// application, never from the internet), villages coloured by whether they are within
// reach, the sites open now and the new points. ECharts' geo component: pinch or wheel to
// zoom, drag to move.
(function () {
  var box = document.getElementById("plan-map");
  var data = JSON.parse(document.getElementById("plan-data").textContent);
  if (!box || !data.villages || !window.echarts) return;
  var labels = data.labels;
  var font = getComputedStyle(document.body).fontFamily;
  var colours = { before: "#2f855a", new: "#2b6cb0", none: "#c53030" };

  function dots(state) {
    return data.villages
      .filter(function (v) { return v[4] === state; })
      .map(function (v) { return { name: v[3], value: [v[0], v[1], v[2]] }; });
  }
  // A city has over a thousand villages: smaller dots there, or they hide each other.
  var scale = data.villages.length > 400 ? 0.55 : 1;
  function size(value) { return Math.max(3, Math.min(18, 2 + Math.sqrt(value[2]) * 1.1) * scale); }
  function villages(state) {
    return {
      name: labels[state], type: "scatter", coordinateSystem: "geo", data: dots(state),
      symbolSize: size, itemStyle: { color: colours[state], opacity: 0.75 },
      tooltip: { formatter: function (p) { return p.name + "<br>" + p.value[2] + " " + labels.people; } }
    };
  }

  // The canvas draws county names and the legend in the page's webfont (Noto Sans SC,
  // served by the app); its slices for those characters are loaded first, or ECharts
  // would measure and draw them in a fallback font without Chinese glyphs.
  function fontReady(outline) {
    if (!(document.fonts && document.fonts.load)) return Promise.resolve();
    var text = outline.features.map(function (f) { return f.properties.name; }).join("") +
      Object.keys(labels).map(function (k) { return labels[k]; }).join("");
    var loading = document.fonts.load("400 12px " + font.split(",")[0], text);
    var timeout = new Promise(function (resolve) { setTimeout(resolve, 2000); });
    return Promise.race([loading, timeout]);
  }

  fetch(data.outline, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (outline) { return fontReady(outline).then(function () { return outline; }); })
    .then(function (outline) {
      echarts.registerMap("leshan", outline);
      var chart = echarts.init(box, null, { renderer: "canvas" });
      var geo = {
        map: "leshan", roam: true, zoom: 1, scaleLimit: { min: 0.8, max: 40 },
        itemStyle: { areaColor: "#f7fafc", borderColor: "#a0aec0" },
        emphasis: { disabled: true }, select: { disabled: true },
        label: { show: true, color: "#718096", fontSize: 11, fontFamily: font },
        regions: data.focus ? [{ name: data.focus, itemStyle: { areaColor: "#edf2f7", borderColor: "#4a5568", borderWidth: 1.5 } }] : []
      };
      if (data.bounds) {
        // (min lat, min lon, max lat, max lon) → [[west, north], [east, south]]
        geo.boundingCoords = [[data.bounds[1], data.bounds[2]], [data.bounds[3], data.bounds[0]]];
      }
      chart.setOption({
        textStyle: { fontFamily: font },
        tooltip: { trigger: "item", textStyle: { fontFamily: font } },
        legend: { bottom: 0, type: "scroll", textStyle: { fontFamily: font } },
        geo: geo,
        series: [
          villages("before"), villages("new"), villages("none"),
          {
            name: labels.existing, type: "scatter", coordinateSystem: "geo", symbol: "rect",
            symbolSize: 7, itemStyle: { color: "#1a202c" },
            data: data.existing.map(function (s) { return { name: s[2], value: [s[0], s[1]] }; }),
            tooltip: { formatter: function (p) { return p.name; } }
          },
          {
            name: labels.chosen, type: "scatter", coordinateSystem: "geo", symbol: "pin",
            symbolSize: 30, itemStyle: { color: "#dd6b20" }, z: 5,
            data: data.chosen.map(function (s) { return { name: s[2], value: [s[0], s[1], s[3]] }; }),
            tooltip: { formatter: function (p) { return p.name + "<br>" + p.value[2] + " " + labels.covers; } }
          }
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
      box.dataset.ready = "1";
    });
})();
