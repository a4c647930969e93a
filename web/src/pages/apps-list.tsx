import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, Fragment, useState } from "react";
import { get } from "../api";
import { Badge, Empty, ErrorState, Loading, PageHeader, Pager, useCursorPages } from "../components";
import { Link, navigate, useLocation } from "../router";
import type { App, Page, Team } from "../types";

const PAGE_SIZE = 20;

export function useTeams() {
  return useQuery({
    queryKey: ["teams", "all"],
    queryFn: () => get<Page<Team>>("/api/teams", { limit: 500 }),
    staleTime: 60_000,
  });
}

/** The search's snippet marks matches with <b>; render them as <mark>, everything else as text. */
function Snippet({ text }: { readonly text: string }) {
  const parts = text.split(/(<b>.*?<\/b>)/g);
  return (
    <p className="snippet">
      {parts.map((part, i) => {
        const key = `${i}-${part.length}`;
        const bold = /^<b>(.*)<\/b>$/.exec(part);
        return bold ? <mark key={key}>{bold[1]}</mark> : <Fragment key={key}>{part}</Fragment>;
      })}
    </p>
  );
}

export function criticalityLabel(level: number): string {
  return ["", "1 · Critical", "2 · High", "3 · Medium", "4 · Not relevant"][level] ?? String(level);
}

/** The applications: full-text search, a team filter, inactive ones on request, and pages. */
export function AppsPage() {
  const { query } = useLocation();
  const search = query.get("search") ?? "";
  const team = query.get("team") ?? "";
  const inactive = query.get("inactive") === "1";
  const pages = useCursorPages<string>();
  const [draft, setDraft] = useState(search);
  const cursor = pages.cursor;
  const teams = useTeams();

  const apps = useQuery({
    queryKey: ["apps", { search, team, inactive, cursor }],
    queryFn: () =>
      get<Page<App>>("/api/apps", {
        search,
        team,
        active: inactive ? undefined : true,
        limit: PAGE_SIZE,
        cursor,
      }),
    placeholderData: keepPreviousData,
  });

  const setFilter = (changes: Record<string, string>) => {
    const next = new URLSearchParams(query);
    for (const [key, value] of Object.entries(changes)) {
      if (value === "") next.delete(key);
      else next.set(key, value);
    }
    pages.reset();
    const text = next.toString();
    navigate(text === "" ? "/apps" : `/apps?${text}`, { replace: true });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilter({ search: draft.trim() });
  };

  return (
    <>
      <PageHeader
        title="Applications"
        subtitle="Every application your teams run, with its versions and approvals."
        actions={
          <Link className="button primary" to="/apps/new">
            New application
          </Link>
        }
      />
      <search>
        <form className="toolbar" onSubmit={submit}>
          <div className="toolbar-search">
            <label htmlFor="app-search" className="visually-hidden">
              Search applications
            </label>
            <input
              id="app-search"
              type="search"
              placeholder="Search by id, name or description"
              value={draft}
              onChange={(event) => setDraft(event.target.value)}
              maxLength={200}
            />
            <button type="submit" className="button secondary">
              Search
            </button>
          </div>
          <div className="toolbar-filters">
            <label htmlFor="app-team">Team</label>
            <select id="app-team" value={team} onChange={(event) => setFilter({ team: event.target.value })}>
              <option value="">All teams</option>
              {teams.data?.items.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={inactive}
                onChange={(event) => setFilter({ inactive: event.target.checked ? "1" : "" })}
              />
              Include inactive
            </label>
          </div>
        </form>
      </search>

      {apps.isPending ? (
        <Loading label="Loading applications…" />
      ) : apps.isError ? (
        <ErrorState error={apps.error} retry={() => apps.refetch()} />
      ) : apps.data.items.length === 0 ? (
        search !== "" || team !== "" ? (
          <Empty title="No application matches these filters.">
            <button
              type="button"
              className="button secondary"
              onClick={() => {
                setDraft("");
                setFilter({ search: "", team: "" });
              }}
            >
              Clear filters
            </button>
          </Empty>
        ) : (
          <Empty title="No applications yet.">
            <p>Register your first application to start shipping versions.</p>
            <Link className="button primary" to="/apps/new">
              New application
            </Link>
          </Empty>
        )
      ) : (
        <>
          <ul className="cards" aria-busy={apps.isFetching}>
            {apps.data.items.map((app) => (
              <li key={app.id} className="card app-card">
                <div className="app-card-main">
                  <Link to={`/apps/${encodeURIComponent(app.id)}`} className="app-card-title">
                    {app.name}
                  </Link>
                  <code className="muted small">{app.id}</code>
                  {app.subtitle && <p className="app-card-subtitle">{app.subtitle}</p>}
                  {app.matched_description !== undefined && app.matched_description !== "" && (
                    <Snippet text={app.matched_description} />
                  )}
                </div>
                <div className="app-card-meta">
                  <Badge tone="info">{app.team_id}</Badge>
                  <span className="muted small">Criticality {criticalityLabel(app.criticality_level)}</span>
                  {!app.active && <Badge tone="muted">Inactive</Badge>}
                </div>
              </li>
            ))}
          </ul>
          <Pager {...pages.pager(apps.data.next_cursor)} />
        </>
      )}
    </>
  );
}
