// The output checkers' pages: every table marked data-sortable sorts by the column whose
// heading is pressed (numbers as numbers, then text), and says so with aria-sort.

function sortKey(row, index) {
  const cell = row.children[index];
  const text = cell ? cell.textContent.trim() : "";
  const number = Number(text.replace(/,/g, ""));
  return text !== "" && !Number.isNaN(number) ? number : text.toLowerCase();
}

function compare(a, b) {
  if (typeof a === typeof b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return typeof a === "number" ? -1 : 1;
}

function sortBy(table, index, header) {
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  for (const other of table.tHead.rows[0].cells) {
    other.setAttribute("aria-sort", "none");
  }
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((x, y) => {
    const order = compare(sortKey(x, index), sortKey(y, index));
    return ascending ? order : -order;
  });
  for (const row of rows) {
    body.appendChild(row);
  }
}

for (const table of document.querySelectorAll("table[data-sortable]")) {
  Array.from(table.tHead.rows[0].cells).forEach((header, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "srs-sort";
    button.textContent = header.textContent.trim();
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", () => sortBy(table, index, header));
  });
}
