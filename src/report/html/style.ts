import { trusted, type SafeHtml } from './escape.js';

/** The report's whole style sheet: system fonts, light, calm, printable. */
export function styleSheet(): SafeHtml {
  return trusted(`<style>
:root{color-scheme:light;--fg:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f4f6f8;--card:#fff;--accent:#1d4ed8;--sig:#fff6e0;--sig-line:#f0a202}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1120px;margin:0 auto;padding:28px 24px 64px}
.page-head{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:8px;border-bottom:1px solid var(--line);padding-bottom:14px}
h1{font-size:22px;margin:0;letter-spacing:-.01em}h1 span{color:var(--muted);font-weight:400}
h2{font-size:20px;margin:0;letter-spacing:-.01em}
h3{font-size:12px;text-transform:uppercase;letter-spacing:.07em;color:var(--muted);margin:0 0 12px;font-weight:600}
h4{font-size:14px;margin:4px 0 10px;font-weight:600}
nav{font-size:13px;color:var(--muted)}nav a{margin-left:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin:14px 0;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.sweep{margin-top:34px}
.sweep-header{border-top:4px solid #3f9c6d}.sweep-header.has-failures{border-top-color:#d64545}
.title-row{display:flex;align-items:baseline;gap:16px;flex-wrap:wrap}
.meta,.muted,.hint,.note,.empty{color:var(--muted)}
.hint{margin:-6px 0 10px;font-size:12.5px}.note{margin:4px 0 0;font-size:13px}
.warning{margin:6px 0;padding:6px 10px;border-left:3px solid #c77700;background:#fff6e5;font-size:13px}
.headline{font-size:17px;font-weight:600;margin:12px 0 14px}
.tiles{display:grid;grid-template-columns:repeat(5,1fr);gap:10px;margin-bottom:8px}
.tile{border:1px solid var(--line);border-radius:8px;padding:8px 12px;background:#fafbfc}
.tile b{display:block;font-size:22px;line-height:1.2;font-variant-numeric:tabular-nums}
.tile span{color:var(--muted);font-size:11.5px;text-transform:uppercase;letter-spacing:.06em}
.tile.passed b{color:#2f7d55}.tile.failed b{color:#c23030}.tile.error b{color:#26303b}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:middle}
thead th{font-size:11.5px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em;white-space:nowrap}
tbody tr:last-child>*{border-bottom:0}
.num{text-align:right;white-space:nowrap}td.zero{color:#c4cbd4}
th.test{font-weight:400}.matrix .num{width:92px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px;overflow-wrap:anywhere}
.chip{text-transform:none;letter-spacing:0;display:inline-block;padding:0 7px;border-radius:999px;font-size:11.5px;font-weight:700;line-height:18px;margin-right:4px;white-space:nowrap}
.tag{font-size:11px;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 4px}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin-top:10px;font-size:12.5px;color:var(--muted)}
.legend b{color:var(--fg)}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;margin-right:6px}
.swatch.hatch{background:repeating-linear-gradient(45deg,#fff 0 2px,#7b8794 2px 3.4px)!important;outline:1px solid #7b8794;outline-offset:-1px}
.scroll{overflow-x:auto}
svg text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:var(--muted)}
svg text.mean{fill:var(--fg);paint-order:stroke;stroke:#fff;stroke-width:3px}
svg.strip a:hover rect{stroke:#1f2933;stroke-width:1.5}
td.plot,th.plot{width:1%;white-space:nowrap}td.label{min-width:200px}td.run{white-space:nowrap}
.compare td.verdict{min-width:150px;font-size:13px}.compare td.label{min-width:170px;max-width:260px}.small{font-size:12px}.hint.foot{margin:10px 0 0}
.rates td.text{color:var(--muted);font-size:13px}
.status{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.status.failed{color:#c23030}.status.error{color:#26303b}.status.interrupted{color:var(--muted)}
.runs td.msg{font-size:13px}.runs code.test{color:var(--fg)}.runs td{vertical-align:top}
.comparison+.comparison{margin-top:22px}
.key{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px}.key.a{background:#52606d}.key.b{background:#2563eb}
tr.sig>td{background:var(--sig)}tr.sig>td:first-child{box-shadow:inset 3px 0 0 var(--sig-line)}
tr.sig td.verdict{font-weight:600}
.badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;background:var(--sig-line);color:#1f2933;border-radius:4px;padding:0 5px;margin-right:4px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{body{background:#fff;font-size:12px}main{max-width:none;padding:0}.card{break-inside:avoid;box-shadow:none;border-color:#ccc}.sweep{break-before:page}.sweep:first-of-type{break-before:auto}a{color:inherit}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}nav{display:none}}
</style>`);
}
