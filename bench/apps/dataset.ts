import pg from "pg";

export interface DatasetSize {
  readonly teams: number;
  readonly apps: number;
  readonly versionsPerApp: number;
}

/**
 * The words descriptions are made of: `rare` ones fill names and descriptions (each in about
 * 0.1 % of applications, like the words that tell applications apart), `common` ones the subtitles
 * (each in about 1 %, a broad query).
 */
export interface DatasetWords {
  readonly rare: readonly string[];
  readonly common: readonly string[];
}

/** The application id of the i-th generated application (1-based). */
export function appIdOf(i: number, { rare: words }: DatasetWords): string {
  return `${words[(i * 7) % words.length]}-${words[(i * 13) % words.length]}-${i}`;
}

/** The version id of the v-th version (1-based) of every generated application. */
export function versionIdOf(v: number): string {
  return `${Math.floor(v / 10)}.${v % 10}.0`;
}

async function count(client: pg.PoolClient, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(rows[0]!.n);
}

/**
 * Fills the database with `size` teams, applications and versions by set-based SQL (generate_series),
 * unless it already holds exactly that many applications and versions. The tables must exist
 * (the server's migrations make them). Returns whether it loaded anything.
 */
export async function ensureDataset(
  url: string,
  size: DatasetSize,
  words: DatasetWords,
  log: (line: string) => void,
): Promise<boolean> {
  const signature = JSON.stringify({ size, rare: words.rare.length, common: words.common.length, v: 2 });
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const client = await pool.connect();
  try {
    const versions = size.apps * size.versionsPerApp;
    await client.query("create table if not exists bench_dataset (signature text not null)");
    const { rows } = await client.query<{ signature: string }>("select signature from bench_dataset");
    if (
      rows[0]?.signature === signature &&
      (await count(client, "apps")) === size.apps &&
      (await count(client, "app_versions")) === versions
    ) {
      log(`dataset present: ${size.apps} applications, ${versions} versions`);
      return false;
    }
    log(`loading ${size.teams} teams, ${size.apps} applications, ${versions} versions (bulk SQL)…`);
    const started = Date.now();
    await client.query("begin");
    await client.query("delete from app_approvals");
    await client.query("delete from app_versions");
    await client.query("delete from apps");
    await client.query(`delete from teams where id like 'bench-%'`);
    await client.query(
      `insert into teams (id, name, created_at, created_by, modified_at)
       select 'bench-' || t, 'Bench team ' || t, now(), 'bench', now() from generate_series(1, $1::int) t`,
      [size.teams],
    );
    // Names, subtitles and descriptions are drawn from the vocabulary by multiplicative hashing, so
    // every word occurs in about the same share of applications.
    await client.query(
      `insert into apps (id, team_id, name, subtitle, description, service_url, scm_url, incident_contact,
                         criticality_level, publicly_accessible, active, created_at, created_by, modified_at, modified_by)
       select w[1 + (i * 7) % n] || '-' || w[1 + (i * 13) % n] || '-' || i,
              'bench-' || (1 + i % $2::int),
              initcap(w[1 + (i * 7) % n]) || ' ' || initcap(w[1 + (i * 13) % n]),
              'The ' || c[1 + (i * 17) % cn] || ' of ' || c[1 + (i * 19) % cn],
              (select string_agg(w[1 + ((i::bigint * 2654435761 + k * 40503) % n)::int], ' ')
                 from generate_series(1, 24) k) || '.',
              'https://' || w[1 + (i * 7) % n] || '.example.com',
              'https://git.example.com/bench/' || w[1 + (i * 7) % n] || '-' || i,
              'oncall-' || (1 + i % $2::int) || '@example.com',
              1 + i % 4, i % 10 = 0, i % 20 <> 0,
              now() - make_interval(mins => i), 'bench', now() - make_interval(mins => i), 'bench'
         from generate_series(1, $1::int) i,
              (select $3::text[] as w, cardinality($3::text[]) as n, $4::text[] as c, cardinality($4::text[]) as cn) v`,
      [size.apps, size.teams, words.rare, words.common],
    );
    log(`  applications loaded after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await client.query(
      `insert into app_versions (app_id, id, artifact, notes, created_at, created_by, modified_at, modified_by)
       select a.id, (v / 10) || '.' || (v % 10) || '.0',
              'registry.example.com/' || a.team_id || '/' || a.id || ':' || v || '@sha256:' || md5(a.id || v) || md5(v || a.id),
              'Release ' || v, a.created_at + make_interval(hours => v), 'bench', a.created_at + make_interval(hours => v), 'bench'
         from apps a, generate_series(1, $1::int) v`,
      [size.versionsPerApp],
    );
    await client.query("delete from bench_dataset");
    await client.query("insert into bench_dataset values ($1)", [signature]);
    await client.query("commit");
    log(`  versions loaded after ${((Date.now() - started) / 1000).toFixed(1)} s; analysing…`);
    await client.query("vacuum analyze apps");
    await client.query("vacuum analyze app_versions");
    log(`dataset ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
    await pool.end();
  }
}
