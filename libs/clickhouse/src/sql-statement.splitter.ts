/**
 * Split a SQL script into statements on `;` that stands outside string literals, quoted identifiers and comments.
 * Statements that hold only whitespace and comments are dropped; comments inside kept statements stay as written.
 */
export function splitSqlStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  const n = script.length;
  while (i < n) {
    const ch = script[i];
    const next = script[i + 1];
    if (ch === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      current += script.slice(i, stop);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      if (end === -1) throw new Error('unterminated /* comment in SQL script');
      current += script.slice(i, end + 2);
      i = end + 2;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      for (;;) {
        if (j >= n) throw new Error(`unterminated ${ch} quote in SQL script`);
        if (script[j] === '\\') {
          j += 2;
        } else if (script[j] === ch) {
          // A doubled quote is an escaped quote, not the end.
          if (script[j + 1] === ch) j += 2;
          else break;
        } else {
          j++;
        }
      }
      current += script.slice(i, j + 1);
      i = j + 1;
    } else if (ch === ';') {
      statements.push(current);
      current = '';
      i++;
    } else {
      current += ch;
      i++;
    }
  }
  statements.push(current);
  return statements.map((s) => s.trim()).filter((s) => stripComments(s).trim().length > 0);
}

function stripComments(statement: string): string {
  return statement.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}
