/* Progress of an extraction job: poll its JSON until it has finished, then offer the download. */
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-role=label]");
  var download = document.getElementById("job-download");

  function show(p) {
    bar.value = p.percent;
    var text = p.status_label + "（" + p.progress + " / " + (p.total === null ? "—" : p.total) + " 件を確認、" + p.percent + "%）";
    if (p.status === "done") { text += "：該当 " + p.row_count + " 人"; }
    if (p.status === "failed") { text += "：" + (p.error || ""); }
    label.textContent = text;
    box.dataset.status = p.status;
    if (p.download_url && download) {
      download.href = p.download_url;
      download.hidden = false;
      download.focus();
    }
  }

  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        show(p);
        if (p.status === "queued" || p.status === "running") { window.setTimeout(poll, 1000); }
      });
  }

  if (box.dataset.status === "queued" || box.dataset.status === "running") { poll(); }
}());
