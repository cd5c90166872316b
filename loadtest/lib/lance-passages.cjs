'use strict';
/**
 * Reading the retrieval service's LanceDB tables from benchmarks, whichever layout a table has
 * (services/retrieval/src/store/lance-chunk.store.ts): tables created since the packed layout hold
 * what a search reads back in one JSON column, `passage`, and have no `text` column; earlier
 * tables have `text` and the other passage columns, read one by one.
 */
const EARLIER_PASSAGE_COLUMNS = ['chunk_id', 'source', 'title', 'section', 'text', 'page', 'tags', 'updated_at', 'is_public'];

async function isPacked(table) {
  return (await table.schema()).fields.some((field) => field.name === 'passage');
}

/** What the service's searches select on this table, vector and score aside. */
async function passageColumnsOf(table) {
  return (await isPacked(table)) ? ['passage'] : EARLIER_PASSAGE_COLUMNS;
}

/** The column to select for chunk texts: `passage` or `text`. */
async function textColumnNameOf(table) {
  return (await isPacked(table)) ? 'passage' : 'text';
}

/** The chunk texts of an Arrow result that selected textColumnNameOf's column: `get(row)`. */
function textsOf(arrow) {
  const packed = arrow.getChild('passage');
  if (packed) return { get: (row) => JSON.parse(String(packed.get(row))).text };
  return arrow.getChild('text');
}

module.exports = { isPacked, passageColumnsOf, textColumnNameOf, textsOf };
