// The incident map: a Leaflet map over the bundled Natural Earth countries (no tile server), with
// the incidents the signed-in user may see, fetched as GeoJSON from this site.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var el = document.getElementById("incident-map");
  var status = document.getElementById("map-status");
  if (!el || !window.L || !window.topojson) { return; }

  var map = L.map(el, { worldCopyJump: true, minZoom: 2, maxZoom: 12 }).setView([-8, 55], 4);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth");

  fetch(el.dataset.basemap).then(function (r) { return r.json(); }).then(function (topo) {
    var land = topojson.feature(topo, topo.objects.countries);
    L.geoJSON(land, { interactive: false, style: function () { return { className: "country" }; } })
      .addTo(map).bringToBack();
  });

  function text(tag, value) {
    var node = document.createElement(tag);
    node.textContent = value;
    return node;
  }

  function popup(p) {
    // Built from text nodes only: nothing from the data is ever parsed as HTML.
    var box = document.createElement("div");
    box.appendChild(text("strong", p.type_label + " — " + p.occurred_at.slice(0, 10)));
    box.appendChild(text("div", p.tlp_label + " · " + p.organisation));
    if (p.route_label) { box.appendChild(text("div", el.dataset.labelRoute + ": " + p.route_label)); }
    box.appendChild(text("div", el.dataset.labelDead + ": " + (p.dead === null ? "—" : p.dead) + " · " +
      el.dataset.labelMissing + ": " + (p.missing === null ? "—" : p.missing)));
    var link = text("a", el.dataset.labelOpen);
    link.href = p.url;
    box.appendChild(link);
    return box;
  }

  fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var incidents = 0;
      var layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          incidents += 1;
          return L.circleMarker(latlng, {
            radius: 5 + Math.min(15, Math.sqrt((p.dead || 0) + (p.missing || 0))),
            className: "incident-marker incident-" + p.id + " tlp-" + p.tlp.replace("+", ""),
          });
        },
        style: function (feature) {
          return feature.geometry.type === "LineString" ? { className: "route-line route-" + feature.properties.id } : {};
        },
        onEachFeature: function (feature, lyr) { lyr.bindPopup(popup(feature.properties)); },
      }).addTo(map);
      if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 7 }); }
      el.setAttribute("data-incidents", String(incidents));
      if (status) { status.textContent = status.dataset.done || ""; }
    })
    .catch(function () {
      el.setAttribute("data-error", "1");
    });
});
