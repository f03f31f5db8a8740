// Sort and filter long tables, offline: no library, no network. Allowed by its hash in each page's CSP.
(function () {
  function key(cell) {
    var v = cell ? cell.getAttribute("data-sort") : "";
    return v !== null ? v : cell.textContent.trim();
  }
  function compare(a, b) {
    var number = /^-?[0-9]+(\.[0-9]+)?$/;
    if (number.test(a) && number.test(b)) return parseFloat(a) - parseFloat(b);
    if (a === "" || a === "–") return b === "" || b === "–" ? 0 : 1;
    if (b === "" || b === "–") return -1;
    return a.localeCompare(b);
  }
  document.querySelectorAll("table.data-table").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body || body.rows.length < 6) return;
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        Array.from(body.rows)
          .map(function (row, i) { return [row, i]; })
          .sort(function (x, y) {
            var d = compare(key(x[0].cells[col]), key(y[0].cells[col]));
            return (ascending ? d : -d) || x[1] - y[1];
          })
          .forEach(function (pair) { body.appendChild(pair[0]); });
      });
    });
    var input = document.createElement("input");
    input.type = "search";
    input.className = "table-filter";
    input.placeholder = "Filter rows…";
    input.setAttribute("aria-label", "Filter the rows of the table below");
    var count = document.createElement("span");
    count.className = "table-count";
    count.setAttribute("aria-live", "polite");
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase(), shown = 0;
      Array.from(body.rows).forEach(function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
        if (!row.hidden) shown += 1;
      });
      count.textContent = q === "" ? "" : shown + " of " + body.rows.length + " rows";
    });
    var box = table.closest(".table-scroll") || table;
    var bar = document.createElement("div");
    bar.className = "table-tools";
    bar.appendChild(input);
    bar.appendChild(count);
    box.parentNode.insertBefore(bar, box);
  });
})();
