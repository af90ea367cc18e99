// Draws the national summary as inline SVG. Trust-supplied text is only ever set with
// textContent, never as HTML.
"use strict";
const SVG = "http://www.w3.org/2000/svg";
const COLOURS = {
  "cash_releasing/measured": "#007f3b", "cash_releasing/estimated": "#78be20",
  "cash_releasing/assumed": "#c5e1a5", "non_cash_releasing/measured": "#005eb8",
  "non_cash_releasing/estimated": "#41b6e6", "non_cash_releasing/assumed": "#b3dcf2",
};
const gbp = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0 });
const num = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });

function el(name, attrs, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function drawChart(totals) {
  const byFy = {};
  for (const t of totals) {
    if (t.dimension !== "financial_year" || t.realised_value_gbp === null) continue;
    const key = t.benefit_type + "/" + t.evidence_grade;
    byFy[t.key] = byFy[t.key] || {};
    byFy[t.key][key] = (byFy[t.key][key] || 0) + t.realised_value_gbp;
  }
  const years = Object.keys(byFy).sort();
  const series = Object.keys(COLOURS);
  const width = 760, height = 320, left = 90, bottom = 40, top = 10;
  let max = 1;
  for (const y of years) for (const type of ["cash_releasing", "non_cash_releasing"]) {
    let sum = 0;
    for (const s of series) if (s.startsWith(type + "/")) sum += Math.max(0, byFy[y][s] || 0);
    max = Math.max(max, sum);
  }
  const svg = el("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  svg.appendChild(el("title", {}, "Realised value by financial year, cash-releasing and non-cash-releasing apart"));
  const plotH = height - bottom - top;
  const group = years.length ? (width - left - 10) / years.length : 0;
  const bar = Math.min(40, group / 3);
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    svg.appendChild(el("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#d8dde0" }));
    svg.appendChild(el("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, gbp.format((max * i) / 4)));
  }
  years.forEach((fy, i) => {
    ["cash_releasing", "non_cash_releasing"].forEach((type, j) => {
      let base = top + plotH;
      const x = left + i * group + group / 2 - bar + j * bar;
      for (const s of series.filter((s) => s.startsWith(type + "/"))) {
        const v = Math.max(0, byFy[fy][s] || 0);
        const h = (plotH * v) / max;
        base -= h;
        const rect = el("rect", { x, y: base, width: bar - 2, height: h, fill: COLOURS[s] });
        rect.appendChild(el("title", {}, `${fy} ${s.replace("/", ", ")}: ${gbp.format(v)}`));
        svg.appendChild(rect);
      }
    });
    svg.appendChild(el("text", { x: left + i * group + group / 2, y: height - 15, "text-anchor": "middle" }, fy));
  });
  const chart = document.getElementById("chart");
  chart.replaceChildren(svg);
  const legend = document.getElementById("legend");
  legend.replaceChildren();
  for (const s of series) {
    const span = document.createElement("span");
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = COLOURS[s];
    span.appendChild(sw);
    span.appendChild(document.createTextNode(s.replace("_", " ").replace("_", "-").replace("/", ", ")));
    legend.appendChild(span);
  }
}

function drawTrusts(totals) {
  const body = document.querySelector("#trusts tbody");
  body.replaceChildren();
  for (const t of totals.filter((t) => t.dimension === "trust_ods")) {
    const tr = document.createElement("tr");
    const cells = [t.key, t.benefit_type + (t.is_disbenefit ? " (dis-benefit)" : ""), t.evidence_grade,
      t.realised_value_gbp === null ? "—" : gbp.format(t.realised_value_gbp), num.format(t.realised_quantity)];
    cells.forEach((c, i) => {
      const td = document.createElement("td");
      td.textContent = c;
      if (i >= 3) td.className = "num";
      tr.appendChild(td);
    });
    body.appendChild(tr);
  }
}

document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const status = document.getElementById("status");
  status.textContent = "Loading…";
  const token = document.getElementById("token").value.trim();
  try {
    const r = await fetch("/v1/national/summary", { headers: { Authorization: "Bearer " + token } });
    const data = await r.json();
    if (!r.ok) { status.textContent = data.detail || data.title || "The store refused the request."; return; }
    status.textContent = "";
    drawChart(data.totals);
    drawTrusts(data.totals);
  } catch (e) {
    status.textContent = "Could not reach the store: " + e;
  }
});
