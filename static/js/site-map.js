// The map of sites (and of CVR projects): an outline of Mali and its regions shipped with the project, the sites as
// coloured circles (status), occupancy in the pop-up. A tile layer only when one is configured.
(function () {
  "use strict";
  const el = document.getElementById("site-map");
  if (!el || !window.L) return;
  const colours = {
    proposed: "#6c757d", validated: "#0dcaf0", under_construction: "#fd7e14", built: "#6610f2",
    operational: "#198754", closed: "#343a40", handed_over: "#0d6efd",
    // CVR projects (the same map shows them): from draft to closed.
    draft: "#adb5bd", submitted: "#6c757d", local_review: "#0dcaf0", pac: "#0dcaf0", vetted: "#0dcaf0",
    assessed: "#6610f2", implementation: "#198754", completed: "#0d6efd", visited: "#20c997",
    transferred: "#fd7e14",
  };
  // No zoom or fade animations: the map is a working tool, and a point clicked stays where it is.
  const map = L.map(el, { zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false, zoomControl: false })
    .setView([17.5, -2.5], 5);
  // The controls in the page's language (the template gives the words), the library credited by name.
  L.control.zoom({ zoomInTitle: el.dataset.zoomIn, zoomOutTitle: el.dataset.zoomOut }).addTo(map);
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 14, attribution: el.dataset.tilesAttribution || "" }).addTo(map);
  }
  // Points in a pane above the region outlines, whichever of the two arrives first.
  map.createPane("points").style.zIndex = 650;
  const text = (value) => document.createTextNode(value == null ? "" : String(value));
  const regions = fetch(el.dataset.regions).then((r) => r.json()).then((geo) => {
    const layer = L.geoJSON(geo, { style: { color: "#555", weight: 1, fillColor: "#f4efe1", fillOpacity: 0.7 } });
    layer.addTo(map);
    map.fitBounds(layer.getBounds(), { animate: false });
  });
  const layerOf = (url) => fetch(url, { credentials: "same-origin" }).then((r) => r.json()).then((geo) => {
    L.geoJSON(geo, {
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, {
        radius: 7, weight: 1, color: "#000", fillOpacity: 0.9, className: "map-point", pane: "points",
        fillColor: colours[feature.properties.status] || "#999",
      }),
      onEachFeature: (feature, layer) => {
        const p = feature.properties;
        const box = document.createElement("div");
        const link = document.createElement("a");
        link.href = p.url;
        link.appendChild(text(p.name));
        box.appendChild(link);
        box.appendChild(document.createElement("br"));
        box.appendChild(text(p.kind + " · " + p.status_label));
        box.appendChild(document.createElement("br"));
        const figure = p.beneficiaries !== undefined ? p.beneficiaries : p.occupancy;
        box.appendChild(text(el.dataset.occupancyLabel.replace("%(n)s", figure).replace("%(c)s", p.capacity)));
        box.dataset.testid = "site-popup";
        layer.bindPopup(box);
      },
    }).addTo(map);
    return geo.features.length;
  });
  // The dashboard shows the CVR projects too (data-projects), on the same map.
  const points = Promise.all([el.dataset.sites, el.dataset.projects].filter(Boolean).map(layerOf))
    .then((counts) => counts.reduce((a, b) => a + b, 0));
  // Ready when everything is drawn and the view has settled: what a test (or a printout) waits for.
  Promise.all([regions, points]).then(([, count]) => { el.dataset.loaded = String(count); });
})();
