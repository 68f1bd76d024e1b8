// The bundled ICD-10 table (/static/icd10.tsv: code TAB title per line, "#"
// comments), the same file telederm-referral checks reports against.

let table;

// Map of code -> title, loaded once.
export function icd10Table() {
  if (!table) {
    table = fetch('/static/icd10.tsv').then(async (response) => {
      if (!response.ok) throw new Error(`The ICD-10 table could not be loaded (${response.status}).`);
      const codes = new Map();
      for (const line of (await response.text()).split('\n')) {
        if (!line.trim() || line.startsWith('#')) continue;
        const [code, title] = line.split('\t');
        if (code && title) codes.set(code.trim(), title.trim());
      }
      return codes;
    });
    table.catch(() => { table = undefined; });
  }
  return table;
}

// Up to `limit` entries whose code starts with `text`, or whose title
// contains every word of it ("melanoma trunk" finds C43.5).
export function searchIcd10(codes, text, limit = 12) {
  const query = text.trim().toLowerCase();
  if (!query) return [];
  const words = query.split(/\s+/);
  const byCode = [];
  const byTitle = [];
  for (const [code, title] of codes) {
    const lower = title.toLowerCase();
    if (code.toLowerCase().startsWith(query)) byCode.push([code, title]);
    else if (words.every((word) => lower.includes(word))) byTitle.push([code, title]);
  }
  return byCode.concat(byTitle).slice(0, limit);
}
