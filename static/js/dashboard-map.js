// The dashboard's map: Mali's regions (the outline shipped in static/geo/) fitted to the screen,
// each labelled with its name and its people, and one circle per place for the cantonment sites
// and the CVR projects there, sized by their number (gathered on the server: programme/places.py),
// so that nearby points no longer pile up. A legend says what each mark means.
(function () {
  "use strict";
  const el = document.getElementById("dashboard-map");
  if (!el || !window.L) return;
  const text = (value) => document.createTextNode(value == null ? "" : String(value));
  const number = (n) => (n == null ? "" : n.toLocaleString(document.documentElement.lang || "fr"));
  // No animations: the map is a working tool, and a point clicked stays where it is.
  const map = L.map(el, {
    zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, zoomSnap: 0.25, zoomControl: false,
  }).setView([17.5, -2.5], 5);
  // The zoom buttons' titles in the page's language.
  L.control.zoom({ zoomInTitle: el.dataset.zoomIn, zoomOutTitle: el.dataset.zoomOut }).addTo(map);
  // Leaflet's own prefix carries an English title: plain "Leaflet", as on the sites' map.
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 14, attribution: el.dataset.tilesAttribution || "" }).addTo(map);
  }
  map.createPane("labels").style.zIndex = 640;
  map.createPane("points").style.zIndex = 650;
  const shades = ["#f4efe1", "#cfe2f3", "#9ec5e8", "#5b9bd5", "#2f6fae"];
  const shade = (n, top) => (n == null ? "#e9ecef" : n === 0 ? shades[0] : shades[Math.min(4, 1 + Math.floor((4 * (n - 1)) / Math.max(top, 1)))]);

  const legend = (data) => {
    const control = L.control({ position: "bottomleft" });
    control.onAdd = () => {
      const box = L.DomUtil.create("div", "map-key");
      box.dataset.testid = "map-legend";
      const title = document.createElement("strong");
      title.appendChild(text(el.dataset.peopleLabel));
      box.appendChild(title);
      const row = (swatch, label) => {
        const line = document.createElement("div");
        line.appendChild(swatch);
        line.appendChild(text(" " + label));
        box.appendChild(line);
      };
      const square = (colour) => {
        const s = document.createElement("span");
        s.className = "map-key-swatch";
        s.dataset.colour = colour;
        return s;
      };
      const top = Math.max(0, ...data.regions.map((r) => r.people || 0));
      row(square(shades[0]), "0");
      for (let i = 1; i <= 4; i += 1) {
        const low = Math.ceil((top * (i - 1)) / 4) + 1;
        const high = Math.ceil((top * i) / 4);
        if (top && high >= low) row(square(shades[i]), low === high ? number(high) : number(low) + " – " + number(high));
      }
      if (data.regions.some((r) => r.people == null)) row(square("#e9ecef"), el.dataset.outsideLabel);
      data.legend.forEach((k) => {
        const s = square(k.colour);
        s.classList.add(k.ring ? "map-key-ring" : "map-key-disc");
        row(s, k.label);
      });
      // Colours come from data, set through the DOM (no inline style attribute in the markup: CSP).
      box.querySelectorAll(".map-key-swatch").forEach((s) => {
        if (s.classList.contains("map-key-ring")) s.style.borderColor = s.dataset.colour;
        else s.style.backgroundColor = s.dataset.colour;
      });
      return box;
    };
    control.addTo(map);
  };

  const outline = fetch(el.dataset.regions).then((r) => r.json());
  const figures = fetch(el.dataset.figures, { credentials: "same-origin" }).then((r) => r.json());
  Promise.all([outline, figures]).then(([geo, data]) => {
    const byCode = Object.fromEntries(data.regions.map((r) => [r.code, r]));
    const top = Math.max(0, ...data.regions.map((r) => r.people || 0));
    const said = (n) => (n == null ? "" : data.suppressed && n === 0 ? el.dataset.hiddenLabel : number(n));
    const layer = L.geoJSON(geo, {
      style: (f) => {
        const r = byCode[f.properties.code];
        const n = r ? r.people : null;
        return { color: "#555", weight: 1, fillOpacity: 0.8, fillColor: shade(data.suppressed && n === 0 ? null : n, top) };
      },
    }).addTo(map);
    const bounds = layer.getBounds();
    map.fitBounds(bounds, { animate: false, padding: [4, 4] });
    map.setMaxBounds(bounds.pad(0.5));
    data.regions.forEach((r) => {
      if (!r.label) return;
      const html = document.createElement("div");
      const name = document.createElement("strong");
      name.appendChild(text(r.name));
      html.appendChild(name);
      if (r.people != null) {
        html.appendChild(document.createElement("br"));
        html.appendChild(text(said(r.people)));
      }
      L.marker([r.label.lat, r.label.lon], {
        pane: "labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "map-region-label", html: html, iconSize: null }),
      }).addTo(map);
    });
    // Each kind sized against its own largest place: a few sites are not dwarfed by many projects.
    const biggest = {};
    data.places.forEach((p) => { biggest[p.kind] = Math.max(biggest[p.kind] || 1, p.records); });
    data.places.forEach((p) => {
      const site = p.kind === "site";
      const colour = data.legend[site ? 0 : 1].colour;
      const marker = L.circleMarker([p.lat, p.lon], {
        pane: "points", className: "map-point", radius: 5 + 15 * Math.sqrt(p.records / biggest[p.kind]),
        color: site ? colour : "#fff", weight: site ? 3 : 1, fillColor: colour, fillOpacity: site ? 0.15 : 0.75,
      });
      const box = document.createElement("div");
      box.dataset.testid = "map-popup";
      box.appendChild(text(p.title));
      if (p.listed.length) {
        const list = document.createElement("ul");
        list.className = "mb-0 ps-3";
        p.listed.forEach((record) => {
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.href = record.url;
          link.appendChild(text(record.name));
          item.appendChild(link);
          list.appendChild(item);
        });
        box.appendChild(list);
      }
      marker.bindPopup(box);
      marker.bindTooltip(p.title);
      marker.addTo(map);
    });
    legend(data);
    // Ready when everything is drawn: what a test (or a printout) waits for.
    el.dataset.loaded = String(data.places.length);
  });
})();
