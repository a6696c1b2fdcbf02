/* assets.c — the stylesheet and the one small script of `assay serve`,
 * embedded in the binary so nothing is fetched from elsewhere at view time.
 * The pages are complete without the script: it only sorts tables and keeps
 * a running run's page current. */
#include <string.h>

#include "web/request.h"

static const char stylesheet[] =
    ":root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--accent:#0a58ca;--good:#1a7f37;--bad:#b42318;"
    "--bar:#7aa7e0;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--ink)}\n"
    "body{margin:0 auto;max-width:1200px;padding:0 1rem 3rem;line-height:1.45}\n"
    "header.site{display:flex;gap:1.5rem;align-items:baseline;border-bottom:1px solid var(--line);"
    "padding:.75rem 0;margin-bottom:1rem}\n"
    "header.site a{color:var(--ink);text-decoration:none}header.site strong{font-size:1.2rem}\n"
    "a{color:var(--accent)}a:focus,button:focus,select:focus,input:focus{outline:3px solid #f0b400;outline-offset:1px}\n"
    ".table-scroll{overflow-x:auto;max-width:100%}caption{text-align:left;color:var(--muted)}\n"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.92rem}\n"
    "th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}\n"
    "td.number,th.number{text-align:right;font-variant-numeric:tabular-nums}\n"
    "th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:var(--ink)}\n"
    "th button::after{content:' \\2195';color:var(--muted)}\n"
    ".tie{font-weight:600}.muted{color:var(--muted)}.passed{color:var(--good)}.failed{color:var(--bad)}\n"
    ".error{color:#8a5a00}\n"
    "form#filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin:.5rem 0}\n"
    "form#filters label{display:flex;flex-direction:column;font-size:.85rem}\n"
    "ol#trajectory{padding-left:3.5rem}li.step{margin:.4rem 0;padding:.4rem .6rem;border-left:4px solid var(--line)}\n"
    "li.step[data-kind=tool_call]{border-left-color:var(--accent)}li.step[data-kind=tool_result]{border-left-color:#8250df}\n"
    "li.step[data-kind=message]{border-left-color:var(--good)}\n"
    "pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;padding:.4rem;margin:.25rem 0;"
    "max-height:24rem;overflow:auto;font-size:.85rem}\n"
    "svg.plot{max-width:100%;height:auto;display:block;margin:.5rem 0 1.5rem}\n"
    "progress{width:20rem;max-width:100%}\n"
    "nav.pages{display:flex;gap:1rem;margin:.5rem 0}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.facts dt{color:var(--muted)}\n"
    "dl.facts dd{margin:0}\n";

static const char script[] =
    "'use strict';\n"
    "/* assay.js: table sorting and live updates of a running run. The pages\n"
    "   are complete without it. */\n"
    "function cellValue(row, column) {\n"
    "  const cell = row.cells[column];\n"
    "  if (!cell) return '';\n"
    "  const value = cell.getAttribute('data-value');\n"
    "  return value !== null ? value : cell.textContent.trim();\n"
    "}\n"
    "function sortTable(button) {\n"
    "  const header = button.closest('th');\n"
    "  const table = button.closest('table');\n"
    "  const column = Array.prototype.indexOf.call(header.parentNode.children, header);\n"
    "  const numeric = button.getAttribute('data-type') === 'number';\n"
    "  const descending = header.getAttribute('aria-sort') !== 'descending';\n"
    "  table.querySelectorAll('th[aria-sort]').forEach((other) => other.removeAttribute('aria-sort'));\n"
    "  header.setAttribute('aria-sort', descending ? 'descending' : 'ascending');\n"
    "  const body = table.tBodies[0];\n"
    "  const rows = Array.from(body.rows);\n"
    "  rows.sort((left, right) => {\n"
    "    let a = cellValue(left, column), b = cellValue(right, column);\n"
    "    if (numeric) { a = a === '' ? -Infinity : Number(a); b = b === '' ? -Infinity : Number(b); }\n"
    "    const order = a < b ? -1 : a > b ? 1 : 0;\n"
    "    return descending ? -order : order;\n"
    "  });\n"
    "  rows.forEach((row) => body.appendChild(row));\n"
    "}\n"
    "document.addEventListener('click', (event) => {\n"
    "  const button = event.target.closest('th button[data-sort]');\n"
    "  if (button) sortTable(button);\n"
    "});\n"
    "/* A running run: refresh the parts of the page that change, in place. */\n"
    "function follow(progress) {\n"
    "  const run = progress.getAttribute('data-run');\n"
    "  const swap = ['progress', 'agents', 'capabilities', 'episodes-section'];\n"
    "  async function tick() {\n"
    "    try {\n"
    "      const response = await fetch(window.location.pathname + window.location.search,\n"
    "                                   {headers: {'Accept': 'text/html'}, cache: 'no-cache'});\n"
    "      if (response.ok) {\n"
    "        const page = new DOMParser().parseFromString(await response.text(), 'text/html');\n"
    "        for (const id of swap) {\n"
    "          const fresh = page.getElementById(id), stale = document.getElementById(id);\n"
    "          if (fresh && stale) stale.replaceWith(document.importNode(fresh, true));\n"
    "        }\n"
    "      }\n"
    "    } catch (error) { /* the server may be restarting: try again */ }\n"
    "    const now = document.getElementById('progress');\n"
    "    if (now && now.getAttribute('data-status') === 'running') setTimeout(tick, 1000);\n"
    "  }\n"
    "  if (run) setTimeout(tick, 1000);\n"
    "}\n"
    "const progress = document.getElementById('progress');\n"
    "if (progress && progress.getAttribute('data-status') === 'running') follow(progress);\n";

int web_asset_answer(const char *path, struct web_answer *answer)
{
    const char *body = NULL;
    size_t length = 0;
    if (strcmp(path, "/assets/assay.css") == 0) {
        body = stylesheet;
        length = sizeof stylesheet - 1;
        answer->content_type = "text/css; charset=utf-8";
    } else if (strcmp(path, "/assets/assay.js") == 0) {
        body = script;
        length = sizeof script - 1;
        answer->content_type = "text/javascript; charset=utf-8";
    } else {
        return ASSAY_ERR_NOT_FOUND;
    }
    answer->status = 200;
    return buffer_append(&answer->body, body, length);
}
