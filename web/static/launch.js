// The bulk-launch page follows its batch: counts and the rows not started, every 1.5 s until all are done.
(function () {
  "use strict";
  var section = document.getElementById("launch-progress");
  if (!section || section.dataset.finished === "true") { return; }
  var bar = section.querySelector("progress");
  var table = document.getElementById("launch-failures");
  var body = table.querySelector("tbody");

  function cell(text) { var td = document.createElement("td"); td.textContent = text; return td; }

  function render(state) {
    bar.value = state.done;
    ["done", "started", "failed"].forEach(function (key) {
      section.querySelector('[data-count="' + key + '"]').textContent = state[key];
    });
    body.replaceChildren.apply(body, state.failures.map(function (f) {
      var tr = document.createElement("tr");
      var why = document.createElement("td");
      var list = document.createElement("ul");
      list.className = "problems";
      f.problems.forEach(function (p) { var li = document.createElement("li"); li.textContent = p; list.appendChild(li); });
      why.appendChild(list);
      var number = cell(f.row);
      number.dataset.label = table.querySelector("thead th").textContent;
      tr.append(number, cell(f.label), why);
      return tr;
    }));
    table.hidden = state.failures.length === 0;
    section.querySelector('[data-when="running"]').hidden = state.finished;
    section.querySelector('[data-when="finished"]').hidden = !state.finished;
  }

  function poll() {
    fetch(section.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (state) { render(state); if (!state.finished) { setTimeout(poll, 1500); } })
      .catch(function () { setTimeout(poll, 5000); });   // a hiccup (a restart): try again, more slowly
  }
  setTimeout(poll, 1000);
}());
