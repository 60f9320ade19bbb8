// The applicant's pages. Without script everything still works: the lists come with spare
// blank rows and the server checks the region/policy pair; this only adds comfort.
(function () {
  "use strict";

  function addRow(prefix) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-template");
    var table = document.getElementById(prefix + "-table");
    if (!total || !template || !table) { return; }
    var index = parseInt(total.value, 10);
    var body = table.tBodies[0];
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var row = body.lastElementChild;
    row.id = prefix + "-row-" + index;
    var first = row.querySelector("input:not([type=hidden]), select");
    if (first) { first.focus(); }
  }

  // Registration: offer only the policies whose region covers the chosen location.
  function syncPacks(region, pack) {
    var code = region.value;
    var visible = [];
    Array.prototype.forEach.call(pack.options, function (option) {
      var prefix = option.getAttribute("data-region-prefix");
      if (prefix === null) { return; }
      var fits = !code || code.indexOf(prefix) === 0;
      option.hidden = !fits;
      option.disabled = !fits;
      if (fits) { visible.push(option); }
    });
    var selected = pack.options[pack.selectedIndex];
    if (selected && selected.disabled) { pack.value = ""; }
    if (code && visible.length === 1) { pack.value = visible[0].value; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button.add-row").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { addRow(button.getAttribute("data-formset")); });
    });
    var region = document.getElementById("id_region_code");
    var pack = document.getElementById("id_pack_id");
    if (region && pack) {
      region.addEventListener("change", function () { syncPacks(region, pack); });
      syncPacks(region, pack);
    }
  });
})();
