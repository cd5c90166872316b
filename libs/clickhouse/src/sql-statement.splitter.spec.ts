import { splitSqlStatements } from './sql-statement.splitter';

describe('splitSqlStatements', () => {
  it('splits on ; outside literals, identifiers and comments', () => {
    const script = `-- header; not a statement
CREATE TABLE a (s String DEFAULT 'x;y', \`we;ird\` UInt8) ENGINE = Memory
;
/* block; comment */ INSERT INTO a VALUES ('it''s; fine', 1);
SELECT "col;name" FROM a; -- trailing; comment
`;
    expect(splitSqlStatements(script)).toEqual([
      "-- header; not a statement\nCREATE TABLE a (s String DEFAULT 'x;y', `we;ird` UInt8) ENGINE = Memory",
      "/* block; comment */ INSERT INTO a VALUES ('it''s; fine', 1)",
      'SELECT "col;name" FROM a',
    ]);
  });

  it('handles backslash escapes and drops comment-only tails', () => {
    expect(splitSqlStatements("SELECT 'a\\';b';\n-- done\n")).toEqual(["SELECT 'a\\';b'"]);
  });

  it('refuses an unterminated literal instead of guessing', () => {
    expect(() => splitSqlStatements("SELECT 'oops;")).toThrow(/unterminated ' quote/);
  });
});
