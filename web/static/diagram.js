// The process diagram on an instance page: bpmn-js NavigatedViewer over /hr/instances/<id>/diagram.json (names
// already in the page's language), with done, current, waiting and failed elements marked.
// Drawn at a readable scale (READABLE) and opened on the current step;
// moved by dragging (mouse: the viewer; finger: below) and with the buttons of .diagram-tools.
// No inline script (CSP script-src 'self'): the URL and the error text come from data- attributes.
(function () {
  "use strict";
  var READABLE = 1.1;        // the zoom it opens at: 12 px labels (11 px outside the shapes) show at 13 (12) px
  var MIN_ZOOM = 0.2, MAX_ZOOM = 3, STEP = 1.25;
  var MARKS = { completed: "mb-done", active: "mb-active", waiting: "mb-waiting", failed: "mb-failed" };

  function clamp(value, low, high) {
    return high < low ? (low + high) / 2 : Math.min(Math.max(value, low), high);
  }

  // Show element ``id`` in the middle of the box at the readable scale, keeping the diagram's edges in the box.
  function focusOn(canvas, registry, id) {
    canvas.zoom(READABLE);
    var box = canvas.viewbox(), inner = box.inner, pad = 40;
    var element = id && registry.get(id);
    var cx = element ? element.x + element.width / 2 : inner.x;
    var cy = element ? element.y + element.height / 2 : inner.y + inner.height / 2;
    canvas.viewbox({
      x: clamp(cx - box.width / 2, inner.x - pad, inner.x + inner.width + pad - box.width),
      y: clamp(cy - box.height / 2, inner.y - pad, inner.y + inner.height + pad - box.height),
      width: box.width, height: box.height
    });
  }

  // A finger's drag moves the diagram (the viewer itself follows the mouse only).
  function touchPan(container, canvas) {
    var last = null;
    container.addEventListener("touchstart", function (event) {
      last = event.touches.length === 1 ? { x: event.touches[0].clientX, y: event.touches[0].clientY } : null;
    }, { passive: true });
    container.addEventListener("touchmove", function (event) {
      if (!last || event.touches.length !== 1) { return; }
      var touch = event.touches[0];
      event.preventDefault();
      canvas.scroll({ dx: touch.clientX - last.x, dy: touch.clientY - last.y });
      last = { x: touch.clientX, y: touch.clientY };
    }, { passive: false });
    container.addEventListener("touchend", function () { last = null; });
  }

  function controls(tools, canvas, registry, focus) {
    var actions = {
      "in": function () { canvas.zoom(Math.min(canvas.zoom() * STEP, MAX_ZOOM), "auto"); },
      "out": function () { canvas.zoom(Math.max(canvas.zoom() / STEP, MIN_ZOOM), "auto"); },
      "fit": function () { canvas.zoom("fit-viewport", "auto"); },
      "focus": function () { focusOn(canvas, registry, focus); }
    };
    tools.querySelectorAll("button[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () { actions[button.dataset.zoom](); });
    });
    tools.hidden = false;
  }

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
          Object.keys(MARKS).forEach(function (key) {
            (state[key] || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, MARKS[key]); } });
          });
          focusOn(canvas, registry, state.focus);
          container.dataset.ready = "true";
          var tools = document.querySelector(".diagram-tools[aria-controls='" + container.id + "']");
          if (tools) { controls(tools, canvas, registry, state.focus); }
          touchPan(container, canvas);
          window.addEventListener("resize", function () { canvas.resized(); });
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
