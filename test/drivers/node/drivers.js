// node-postgres and product_key, for test/shell/drivers.sh (the README's
// recipe "Drivers", node-postgres): keys in text mode, arrays of keys before
// and after a type parser is registered for product_key[]'s OID, and what
// `binary: true` does to them.
//
//   node drivers.js CONFIG
//
// CONFIG is the JSON of test/drivers/psycopg_check.py (connection in `node`:
// host, port, database, user).  Prints one line a check:
// "check NAME ok|fail DETAIL", tab-separated.
'use strict';
const fs = require('fs');
const pg = require('pg');

const KEYS = 'SELECT product_key FROM key_card ORDER BY product_key::text COLLATE "C"';
const ARRAY = 'SELECT array_agg(product_key ORDER BY product_key::text COLLATE "C") AS a FROM key_card';

const check = (name, good, detail = '') =>
	process.stdout.write(['check', name, good ? 'ok' : 'fail', String(detail).slice(0, 300)].join('\t') + '\n');
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function main(cfg) {
	const texts = cfg.keys.map(([t]) => t);
	const n = texts.length;
	const c = new pg.Client(cfg.node);
	await c.connect();

	// text mode, the default: keys are strings
	let got = (await c.query(KEYS)).rows.map((r) => r.product_key);
	check('text_plain', same(got, texts), `${n} keys: ${got[0]}`);
	// a parameter is sent as text of unknown type: the server makes it a key
	const k = texts[0].toLowerCase().replace(/-/g, '');
	let row = (await c.query('SELECT count(*)::int AS n FROM key_card WHERE product_key = $1', [k])).rows[0];
	check('text_param', row.n === 1, `WHERE product_key = $1 with '${k}': ${row.n} row`);
	row = (await c.query('SELECT count(*)::int AS n FROM key_card WHERE product_key = ANY($1)', [texts])).rows[0];
	check('text_param_array', row.n === n, `= ANY($1) with a JS array of ${n} keys: ${row.n}`);

	// arrays of keys: an unknown OID, so the text '{...}' is left unparsed
	got = (await c.query(ARRAY)).rows[0].a;
	check('array_plain_string', typeof got === 'string' && got === cfg.array_text, `${typeof got}: ${String(got).slice(0, 40)}`);

	// binary: true garbles keys: the 16 bytes decoded as UTF-8 text
	got = (await c.query({ text: KEYS + ' LIMIT $1', values: [n], binary: true })).rows.map((r) => r.product_key);
	const garbled = got.filter((g, i) => g !== texts[i]).length;
	check('binary_garbles', got.length === n && garbled === n, `${garbled} of ${n} keys differ from their text: ${JSON.stringify(got[0])}`);

	// the recipe: look up the array type's OID, parse it as text[]
	const oid = Number((await c.query("SELECT 'por_partner.product_key[]'::regtype::oid AS oid")).rows[0].oid);
	pg.types.setTypeParser(oid, pg.types.getTypeParser(1009));	// 1009: text[]
	got = (await c.query(ARRAY)).rows[0].a;
	check('array_parsed', Array.isArray(got) && same(got, texts), `OID ${oid}: ${Array.isArray(got) ? 'an array of ' + got.length : typeof got}`);
	await c.end();

	// a new client after setTypeParser: the parser is the module's, for every client
	const d = new pg.Client(cfg.node);
	await d.connect();
	got = (await d.query(ARRAY)).rows[0].a;
	check('array_parsed_new_client', Array.isArray(got) && same(got, texts), '');
	await d.end();
}

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
main(cfg).catch((e) => {
	check('no_error', false, `${e.code || ''} ${e.message}`);
	process.exit(1);
});
