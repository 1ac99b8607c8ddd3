/* Progress of a migration job: poll its JSON until it has finished. */
(function () {
  "use strict";
  var box = document.getElementById("migration-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-role=label]");

  function show(p) {
    bar.value = p.percent;
    label.textContent = p.done + " / " + p.total + " 件移行（失敗 " + p.failed + " 件）：" + p.status_label;
    box.dataset.status = p.status;
  }

  var startedOpen = box.dataset.status === "queued" || box.dataset.status === "running";

  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        show(p);
        if (p.status === "queued" || p.status === "running") { window.setTimeout(poll, 1000); }
        else if (startedOpen) { window.location.reload(); }  // the finished job lists its cases to revert
      });
  }

  poll();
}());
