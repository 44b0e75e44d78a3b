/* The dashboard's charts: ECharts with its SVG renderer, so every label is real text set
   in the page's own webfont (Noto Sans SC, served by the app). Data come from the page
   (json_script #dashboard-data); nothing is fetched from anywhere else. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  var font = getComputedStyle(document.body).fontFamily;
  var palette = ["#b4232a", "#2b6cb0", "#2f855a", "#b7791f", "#6b46c1", "#319795", "#d53f8c", "#718096"];
  var charts = [];

  function base() {
    return {
      color: palette,
      textStyle: { fontFamily: font, fontSize: 12 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, textStyle: { fontFamily: font } },
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      animation: false
    };
  }

  function assign(target, extra) {
    Object.keys(extra).forEach(function (k) { target[k] = extra[k]; });
    return target;
  }

  function empty(el) {
    el.innerHTML = "";
    var p = document.createElement("div");
    p.className = "empty";
    p.textContent = data.text.empty;
    el.appendChild(p);
  }

  function sum(values) {
    return values.reduce(function (a, b) { return a + b; }, 0);
  }

  function draw(id, option, values) {
    var el = document.getElementById(id);
    if (!el) return;
    if (!sum(values)) { empty(el); return; }
    var chart = echarts.init(el, null, { renderer: "svg", locale: data.locale });
    chart.setOption(assign(base(), option));
    charts.push(chart);
  }

  var numbers = new Intl.NumberFormat(data.locale === "ZH" ? "zh-CN" : "en");
  function grouped(value) {
    return numbers.format(typeof value === "object" && value !== null ? value.value : value);
  }

  function horizontalBar(labels, series) {
    return {
      legend: series.length > 1 ? { top: 0, textStyle: { fontFamily: font } } : undefined,
      grid: { left: 8, right: 24, top: series.length > 1 ? 28 : 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: grouped, hideOverlap: true } },
      yAxis: { type: "category", data: labels.slice().reverse(), axisTick: { show: false } },
      series: series.map(function (s) {
        return { type: "bar", name: s.name, data: s.data.slice().reverse(), barMaxWidth: 18,
                 label: { show: series.length === 1, position: "right", fontFamily: font,
                          formatter: function (p) { return grouped(p.value); } } };
      })
    };
  }

  function render() {
    draw("chart-categories", horizontalBar(data.categories.labels,
      [{ name: data.text.activities, data: data.categories.values }]), data.categories.values);

    // A line of one or two months is only dots: show them.
    var few = data.months.labels.length < 13;
    draw("chart-months", {
      legend: { top: 0, textStyle: { fontFamily: font } },
      xAxis: { type: "category", data: data.months.labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: grouped } },
      series: [
        { type: "line", name: data.text.raised, data: data.months.raised, showSymbol: few },
        { type: "line", name: data.text.solved, data: data.months.solved, showSymbol: few }
      ]
    }, data.months.raised.concat(data.months.solved));

    draw("chart-overdue", horizontalBar(data.overdue.labels,
      [{ name: data.text.overdue, data: data.overdue.values }]), data.overdue.values);

    draw("chart-counties", horizontalBar(data.counties.labels, [
      { name: data.text.activities, data: data.counties.activities },
      { name: data.text.solved, data: data.counties.solved }
    ]), data.counties.activities.concat(data.counties.solved));
  }

  // ECharts measures text before placing it: load the font's slices for every label
  // first, so the layout is measured in the font that will be drawn (not a fallback).
  function labels() {
    var all = [data.text.activities, data.text.raised, data.text.solved, data.text.overdue, data.text.empty]
      .concat(data.categories.labels, data.overdue.labels, data.counties.labels, data.months.labels);
    return all.join("") + "0123456789,.-";
  }

  var ready = Promise.resolve();
  if (document.fonts && document.fonts.load) {
    var family = font.split(",")[0];
    ready = Promise.all([document.fonts.load("400 12px " + family, labels())]);
  }
  var timeout = new Promise(function (resolve) { setTimeout(resolve, 2000); });
  Promise.race([ready, timeout]).then(render, render);

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
})();
