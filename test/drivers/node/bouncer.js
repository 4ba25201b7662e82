// node-postgres clients through pgbouncer in transaction pooling, for
// test/shell/pgbouncer.sh (the README's recipe "Behind pgbouncer").
//
//   node bouncer.js book CONFIG    many clients of each login at once, reading
//                                  their book and comparing keys, with plain
//                                  parameterized queries (the unnamed
//                                  statement: no `name:` in the query config)
//   node bouncer.js named CONFIG   two clients of one login, one after the
//                                  other, with `name:` when CONFIG.named
//   node bouncer.js moved CONFIG   a named statement run again on the other
//                                  server connection of a pool of two
//
// CONFIG and the output lines are those of test/drivers/bouncer.py (the psycopg
// clients): book, probe, pid and error lines, tab-separated.  No SET is ever
// sent: the search_path is the role's (ALTER ROLE ... SET search_path).
'use strict';
const fs = require('fs');
const pg = require('pg');

const BOOK = `SELECT pg_backend_pid() AS pid,
  (SELECT string_agg(partner_id::text, ',' ORDER BY partner_id) FROM partner) AS partners,
  (SELECT string_agg(product_key::text, ',' ORDER BY product_key::text COLLATE "C") FROM key_card) AS keys,
  (SELECT string_agg(subscription_id::text, ',' ORDER BY subscription_id) FROM subscription) AS subs,
  (SELECT string_agg(tenant_id::text, ',' ORDER BY tenant_id) FROM tenant) AS tenants`;
const PROBE = 'SELECT pg_backend_pid() AS pid, (SELECT partner_id FROM key_card WHERE product_key = $1) AS partner';

const emit = (...f) => process.stdout.write(f.map((x) => (x == null ? '' : String(x))).join('\t') + '\n');
const error = (login, e) => emit('error', login.user, e.code || e.name, String(e.message).split('\n')[0]);

function connect(cfg, login) {
	return new pg.Client({ host: cfg.host, port: cfg.port, database: cfg.dbname,
		user: login.user, password: login.password });
}

// a small deterministic generator, so that runs can be repeated
function rng(seed) {
	let s = seed >>> 0 || 1;
	return () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
}

async function client(cfg, login, n, rand) {
	const c = connect(cfg, login);
	try {
		await c.connect();
	} catch (e) {
		error(login, e);
		return;
	}
	const pids = new Set();
	for (let r = 0; r < cfg.rounds; r++) {
		const keys = [0, 1, 2].map(() => login.probe[Math.floor(rand() * login.probe.length)]);
		try {
			const inTx = r % 2 === 1;	// every other round in a transaction
			if (inTx) await c.query('BEGIN');
			const b = (await c.query(BOOK)).rows[0];
			const probes = [];
			for (const k of keys) probes.push((await c.query(PROBE, [k])).rows[0]);
			if (inTx) await c.query('COMMIT');
			pids.add(b.pid);
			emit('book', login.user, b.partners, b.keys, b.subs, b.tenants);
			keys.forEach((k, i) => {
				pids.add(probes[i].pid);
				emit('probe', login.user, k, probes[i].partner == null ? 'none' : probes[i].partner);
			});
		} catch (e) {
			error(login, e);
			await c.query('ROLLBACK').catch(() => {});
		}
	}
	await c.end();
	for (const p of [...pids].sort()) emit('pid', login.user, `node-${n}`, p);
}

async function book(cfg) {
	const rand = rng(cfg.seed || 1);
	const all = [];
	for (let i = 0; i < cfg.clients; i++) {
		for (const login of cfg.logins) all.push(client(cfg, login, i, rng(Math.floor(rand() * 1e9))));
	}
	await Promise.all(all);
}

// two clients of the first login, one after the other, each running the probe
// 8 times; with cfg.named, as the named statement "probe"
async function named(cfg) {
	const login = cfg.logins[0];
	for (let n = 0; n < 2; n++) {
		const c = connect(cfg, login);
		try {
			await c.connect();
		} catch (e) {
			error(login, e);
			continue;
		}
		for (const k of login.probe.slice(0, 8)) {
			const q = cfg.named ? { name: 'probe', text: PROBE, values: [k] } : { text: PROBE, values: [k] };
			try {
				const row = (await c.query(q)).rows[0];
				emit('probe', login.user, k, row.partner == null ? 'none' : row.partner);
				emit('pid', login.user, `node-${n}`, row.pid);
			} catch (e) {
				error(login, e);
			}
		}
		await c.end().catch(() => {});
	}
}

// a named statement meets a server connection that never saw it: on a pool of
// two, another client of the login holds one server connection while this one
// prepares on the other, a third takes that one, the first lets its own go:
// the next run of the statement can only get the server connection that never
// prepared it (26000)
async function moved(cfg) {
	const login = cfg.logins[0];
	const [x, y1, y2] = [0, 1, 2].map(() => connect(cfg, login));
	const pid = async (c) => (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
	const run = async (c, k) => {
		try {
			const row = (await c.query({ name: 'probe', text: PROBE, values: [k] })).rows[0];
			emit('probe', login.user, k, row.partner == null ? 'none' : row.partner);
			emit('pid', login.user, 'node-x', row.pid);
		} catch (e) {
			error(login, e);
		}
	};
	for (const c of [x, y1, y2]) await c.connect();
	await y1.query('BEGIN');
	emit('pid', login.user, 'node-y1', await pid(y1));
	await run(x, login.probe[0]);
	await y2.query('BEGIN');
	emit('pid', login.user, 'node-y2', await pid(y2));
	await y1.query('COMMIT');
	await run(x, login.probe[1]);
	await y2.query('COMMIT');
	for (const c of [x, y1, y2]) await c.end().catch(() => {});
}

const [mode, path] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(path, 'utf8'));
({ book, named, moved })[mode](cfg).catch((e) => {
	console.error(e);
	process.exit(1);
});
