// The process diagram on an instance page: bpmn-js NavigatedViewer over /hr/instances/<id>/diagram.json,
// with done and waiting elements marked. No inline script (CSP script-src 'self'): the URL comes from data-src.
(function () {
  "use strict";
  function show(container) {
    fetch(container.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (state) {
        var viewer = new window.BpmnJS({ container: container });
        return viewer.importXML(state.xml).then(function () {
          var canvas = viewer.get("canvas");
          var registry = viewer.get("elementRegistry");
          state.completed.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "mb-done"); } });
          state.active.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "mb-active"); } });
          canvas.zoom("fit-viewport");
        });
      })
      .catch(function (error) {
        container.textContent = container.dataset.error + " (" + error.message + ")";
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("diagram");
    if (container && window.BpmnJS) { show(container); }
  });
})();
