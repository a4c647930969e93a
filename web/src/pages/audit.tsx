import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { get } from "../api";
import {
  Badge,
  Empty,
  ErrorState,
  FormError,
  formatTime,
  Loading,
  PageHeader,
  Pager,
  useCursorPages,
} from "../components";
import type { AuditPage as AuditPageJson, AuditReport } from "../types";

interface Filters {
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly from: string;
  readonly to: string;
}

const NO_FILTERS: Filters = { actor: "", action: "", target: "", from: "", to: "" };

// <input type="datetime-local"> gives local time without a zone; the API wants an instant.
const instant = (local: string) => (local === "" ? undefined : new Date(local).toISOString());

function VerifyPanel() {
  const verify = useMutation({ mutationFn: () => get<AuditReport>("/api/audit/verify") });
  const report = verify.data;
  return (
    <section className="panel" aria-labelledby="verify-heading">
      <div className="panel-header">
        <div>
          <h2 id="verify-heading">Chain integrity</h2>
          <p className="muted">Recomputes every entry's hash and checks the signed checkpoints.</p>
        </div>
        <button
          type="button"
          className="button secondary"
          onClick={() => verify.mutate()}
          disabled={verify.isPending}
        >
          {verify.isPending ? "Verifying…" : "Verify chain"}
        </button>
      </div>
      <FormError error={verify.error} />
      {report !== undefined && (
        <div
          className={`status ${report.ok ? "status-ok" : "status-bad"}`}
          role="status"
          data-testid="verify-report"
        >
          {report.ok ? <Badge tone="ok">Chain intact</Badge> : <Badge tone="warn">Chain broken</Badge>}
          <p>
            {report.entries} entries, {report.checkpoints} checkpoints
            {report.uncovered_entries > 0 &&
              `, ${report.uncovered_entries} entries not yet under a checkpoint`}
            .
          </p>
          {report.first_broken !== undefined && (
            <p>
              First break at entry {report.first_broken.seq} ({report.first_broken.reason}):{" "}
              {report.first_broken.detail}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

/** The audit log, newest first, with filters and a chain verification. */
export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const pages = useCursorPages<number>();
  const cursor = pages.cursor;
  const entries = useQuery({
    queryKey: ["audit", filters, cursor],
    queryFn: () =>
      get<AuditPageJson>("/api/audit", {
        actor: filters.actor.trim(),
        action: filters.action.trim(),
        target: filters.target.trim(),
        from: instant(filters.from),
        to: instant(filters.to),
        order: "desc",
        limit: 50,
        before_seq: cursor,
      }),
    placeholderData: keepPreviousData,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    pages.reset();
    setFilters(draft);
  };
  const field = (key: keyof Filters) => ({
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }),
  });
  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every change in Charter, in a hash chain nobody can rewrite unnoticed."
      />
      <VerifyPanel />
      <form className="panel form filters" onSubmit={submit} aria-label="Filter the audit log">
        <div className="form-grid five">
          <div className="field">
            <label htmlFor="audit-actor">Actor</label>
            <input id="audit-actor" placeholder="admin" maxLength={256} {...field("actor")} />
          </div>
          <div className="field">
            <label htmlFor="audit-action">Action</label>
            <input
              id="audit-action"
              placeholder="app.* or team.create"
              maxLength={128}
              {...field("action")}
            />
          </div>
          <div className="field">
            <label htmlFor="audit-target">Target</label>
            <input id="audit-target" placeholder="app/shop*" maxLength={512} {...field("target")} />
          </div>
          <div className="field">
            <label htmlFor="audit-from">From</label>
            <input id="audit-from" type="datetime-local" {...field("from")} />
          </div>
          <div className="field">
            <label htmlFor="audit-to">Until</label>
            <input id="audit-to" type="datetime-local" {...field("to")} />
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="button primary">
            Apply filters
          </button>
          <button
            type="button"
            className="button ghost"
            onClick={() => {
              setDraft(NO_FILTERS);
              setFilters(NO_FILTERS);
              pages.reset();
            }}
          >
            Reset
          </button>
        </div>
      </form>
      {entries.isPending ? (
        <Loading label="Loading the audit log…" />
      ) : entries.isError ? (
        <ErrorState error={entries.error} retry={() => entries.refetch()} />
      ) : entries.data.items.length === 0 ? (
        <Empty title="No entries match these filters." />
      ) : (
        <>
          <div className="panel flush">
            <div className="table-wrap">
              <table className="audit-table">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">When</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Action</th>
                    <th scope="col">Target</th>
                    <th scope="col" className="hide-narrow">
                      Hash
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {entries.data.items.map((e) => (
                    <tr key={e.seq}>
                      <td className="mono muted">{e.seq}</td>
                      <td className="nowrap">{formatTime(e.at)}</td>
                      <td>
                        {e.actor_sub} <span className="muted small">{e.actor_realm}</span>
                      </td>
                      <td>
                        <code>{e.action}</code>
                      </td>
                      <td className="mono">{e.target}</td>
                      <td className="mono muted hide-narrow" title={e.hash}>
                        {e.hash.slice(0, 12)}…
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <Pager {...pages.pager(entries.data.next_cursor)} />
        </>
      )}
    </>
  );
}
