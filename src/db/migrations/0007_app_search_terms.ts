import { sql } from "kysely";
import type { Database } from "../database.js";

const ID = sql`text collate "C"`;

/**
 * The ranks of the words of an application's id, name and subtitle, kept beside the application.
 *
 * A search ranks every match, and ranking reads each match's `search` vector from the table: a
 * common word (in 1 % of 100,000 applications) meant a thousand rows read at random for one page.
 * For a one-word query the rank of an application is `ts_rank(search, 'word')`, which depends on
 * the application alone, so it is computed once here, when the application is written, and a page
 * is read in order from the `(term, rank)` index.
 *
 * Only words with weight A or B (id, name, subtitle) are kept. With the weights `search` uses, an
 * application that has the word with weight A or B always ranks above one that has it only in its
 * description (weight C): ts_rank gives the first at least 0.4 / 1.645, the second less than
 * 0.2 · π²/6 / 1.645. So when at least a page of applications has the word in id, name or
 * subtitle, this table alone gives the page, exactly as ranking every match would; otherwise (a
 * rare word) `app_search_page` ranks the GIN index's matches as before. Queries of several words
 * never come here.
 *
 * The filters of a list (team, active, modified_at) are copied, so that a filtered page is read
 * from the index too. A trigger rewrites an application's rows in the transaction that writes the
 * application, so no write path can forget them.
 */
export async function up(db: Database): Promise<void> {
  await db.schema
    .createTable("app_search_terms")
    .addColumn("app_id", ID, (c) => c.notNull().references("apps.id").onDelete("cascade"))
    // The one-word query this rank answers, as PostgreSQL prints it: websearch_to_tsquery(…)::text.
    .addColumn("term", ID, (c) => c.notNull())
    .addColumn("rank", "real", (c) => c.notNull())
    .addColumn("team_id", ID, (c) => c.notNull())
    .addColumn("active", "boolean", (c) => c.notNull())
    .addColumn("modified_at", "timestamptz", (c) => c.notNull())
    .execute();

  // A lexeme as a one-word query: quoted, with quotes and backslashes doubled.
  await sql`
    create function app_search_terms_of(search tsvector)
      returns table (term text, rank real) language sql immutable as $$
        select q::text, ts_rank(search, q)
          from unnest(search) as u (lexeme, positions, weights),
               lateral (select ('''' || replace(replace(u.lexeme, '\\', '\\\\'), '''', '''''') || '''')::tsquery) as t (q)
         where u.weights && array['A', 'B']
      $$`.execute(db);

  // Filled before the indexes are built, so that they are built compact.
  await sql`
    insert into app_search_terms (app_id, term, rank, team_id, active, modified_at)
      select a.id, t.term, t.rank, a.team_id, a.active, a.modified_at
        from apps a, app_search_terms_of(a.search) as t`.execute(db);
  await sql`alter table app_search_terms add primary key (app_id, term)`.execute(db);
  await sql`
    create index app_search_terms_rank on app_search_terms (term, rank desc, app_id)
      include (team_id, active, modified_at)`.execute(db);

  await sql`
    create function app_search_terms_refresh() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        delete from app_search_terms where app_id = old.id;
      end if;
      insert into app_search_terms (app_id, term, rank, team_id, active, modified_at)
        select new.id, t.term, t.rank, new.team_id, new.active, new.modified_at
          from app_search_terms_of(new.search) as t;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger app_search_terms_refresh after insert or update on apps
      for each row execute function app_search_terms_refresh()`.execute(db);

  // The page of a one-word search: from the stored ranks when they hold the whole page, else by
  // ranking every match. A function, so that a search stays one round trip and the lookup of the
  // stored ranks is planned once per connection. Ranking every match is planned on each call
  // (execute), with the filters given, so that a team's filter can still narrow the matches first.
  await sql`
    create function app_search_page(
      words tsquery, page_size integer, page_offset integer,
      team text, is_active boolean, since timestamptz
    ) returns table (app_id text, rank real) language plpgsql stable as $$
    declare
      stored integer;
    begin
      select count(*) into stored from (
        select from app_search_terms t
         where t.term = words::text
           and (team is null or t.team_id = team)
           and (is_active is null or t.active = is_active)
           and (since is null or t.modified_at >= since)
         limit page_size + page_offset) s;
      if stored = page_size + page_offset then
        return query
          select t.app_id::text, t.rank from app_search_terms t
           where t.term = words::text
             and (team is null or t.team_id = team)
             and (is_active is null or t.active = is_active)
             and (since is null or t.modified_at >= since)
           order by t.rank desc, t.app_id limit page_size offset page_offset;
      else
        return query execute $ranked$
          select a.id::text, ts_rank(a.search, $1) as r from apps a
           where a.search @@ $1
             and ($4::text is null or a.team_id = $4)
             and ($5::boolean is null or a.active = $5)
             and ($6::timestamptz is null or a.modified_at >= $6)
           order by r desc, a.id limit $2 offset $3 $ranked$
          using words, page_size, page_offset, team, is_active, since;
      end if;
    end $$`.execute(db);
}
