// Polls the import's progress while it runs in the background; reloads the page when done.
(function () {
  var box = document.getElementById("import-progress");
  if (!box || !box.dataset.running) { return; }
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      document.getElementById("import-bar").value = d.percent;
      document.getElementById("import-percent").textContent = d.percent + "%";
      document.getElementById("import-status").textContent = d.label;
      if (["queued", "validating", "committing"].indexOf(d.status) >= 0) { setTimeout(poll, 1500); }
      else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
