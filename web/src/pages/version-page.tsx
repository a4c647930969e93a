import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { get, post, seg } from "../api";
import { Badge, Empty, ErrorState, Field, FormError, formatTime, Loading, PageHeader } from "../components";
import type { Approval, ApprovalType, Version } from "../types";
import { useApp, useApprovalStatus } from "./app-page";

function ApprovalStatusPanel({ appId, versionId }: { readonly appId: string; readonly versionId: string }) {
  const status = useApprovalStatus(appId, versionId);
  return (
    <section className="panel" aria-labelledby="status-heading">
      <h2 id="status-heading">Approval status</h2>
      {status.isPending ? (
        <Loading label="Checking approvals…" />
      ) : status.isError ? (
        <ErrorState error={status.error} retry={() => status.refetch()} />
      ) : status.data.deployable ? (
        <div className="status status-ok" data-testid="deployable">
          <Badge tone="ok">Deployable</Badge>
          <p>Every approval the policy asks for at this criticality has been given.</p>
        </div>
      ) : (
        <div className="status status-warn">
          <Badge tone="warn">Not deployable</Badge>
          <p>Still missing:</p>
          <ul className="missing">
            {status.data.missing.map((m) => (
              <li key={m.type}>
                <strong>{m.type}</strong>
                <span className="muted">
                  {m.have} of {m.needed} {m.needed === 1 ? "person" : "different people"}
                </span>
                <progress max={m.needed} value={m.have} aria-label={`${m.type}: ${m.have} of ${m.needed}`} />
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function ApproveForm({ appId, versionId }: { readonly appId: string; readonly versionId: string }) {
  const client = useQueryClient();
  const types = useQuery({
    queryKey: ["approval-types"],
    queryFn: () => get<{ items: ApprovalType[] }>("/api/approval-types"),
    staleTime: 60_000,
  });
  const [type, setType] = useState("");
  const [notes, setNotes] = useState("");
  const [confirmed, setConfirmed] = useState(false);
  const [done, setDone] = useState<string | undefined>(undefined);
  const approve = useMutation({
    mutationFn: () =>
      post<Approval>(`/api/apps/${seg(appId)}/versions/${seg(versionId)}/approvals`, {
        type,
        ...(notes.trim() === "" ? {} : { notes: notes.trim() }),
      }),
    onSuccess: async (approval) => {
      setDone(`You approved ${approval.type}.`);
      setConfirmed(false);
      setNotes("");
      setType("");
      await client.invalidateQueries({ queryKey: ["approval-status", appId, versionId] });
      await client.invalidateQueries({ queryKey: ["approvals", appId, versionId] });
    },
  });
  const chosen = types.data?.items.find((t) => t.id === type);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(undefined);
    if (chosen !== undefined && confirmed) approve.mutate();
  };

  return (
    <section className="panel" aria-labelledby="approve-heading">
      <h2 id="approve-heading">Approve this version</h2>
      {types.isPending ? (
        <Loading label="Loading approval types…" />
      ) : types.isError ? (
        <ErrorState error={types.error} retry={() => types.refetch()} />
      ) : (
        <form onSubmit={submit} className="form" aria-describedby="approve-help">
          <p id="approve-help" className="muted">
            An approval is your signed statement, kept in the audit log. Read the declaration before you
            confirm it.
          </p>
          <Field label="Approval type">
            {(id) => (
              <select
                id={id}
                value={type}
                required
                onChange={(event) => {
                  setType(event.target.value);
                  setConfirmed(false);
                  approve.reset();
                }}
              >
                <option value="">Choose a type…</option>
                {types.data.items.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.id}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {chosen !== undefined && (
            <>
              <blockquote className="declaration" aria-label={`Declaration for ${chosen.id}`}>
                {chosen.declaration}
              </blockquote>
              <Field label="Notes (optional)">
                {(id) => (
                  <textarea
                    id={id}
                    rows={2}
                    maxLength={4000}
                    value={notes}
                    onChange={(e) => setNotes(e.target.value)}
                  />
                )}
              </Field>
              <label className="checkbox confirm">
                <input
                  type="checkbox"
                  checked={confirmed}
                  required
                  onChange={(event) => setConfirmed(event.target.checked)}
                />
                I confirm the declaration above for version {versionId}.
              </label>
            </>
          )}
          <FormError error={approve.error} />
          {done !== undefined && (
            <p className="form-success" role="status">
              {done}
            </p>
          )}
          <div className="form-actions">
            <button
              type="submit"
              className="button primary"
              disabled={chosen === undefined || !confirmed || approve.isPending}
            >
              {approve.isPending ? "Approving…" : "Approve"}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** One version: its artifact, whether it may be deployed, who approved what, and the approve action. */
export function VersionPage({ appId, versionId }: { readonly appId: string; readonly versionId: string }) {
  const app = useApp(appId);
  const version = useQuery({
    queryKey: ["version", appId, versionId],
    queryFn: () => get<Version>(`/api/apps/${seg(appId)}/versions/${seg(versionId)}`),
  });
  const approvals = useQuery({
    queryKey: ["approvals", appId, versionId],
    queryFn: () => get<{ items: Approval[] }>(`/api/apps/${seg(appId)}/versions/${seg(versionId)}/approvals`),
  });
  const crumbs = [
    { label: "Applications", to: "/apps" },
    { label: app.data?.name ?? appId, to: `/apps/${seg(appId)}` },
  ];

  if (version.isPending) return <Loading label="Loading the version…" />;
  if (version.isError) {
    return (
      <>
        <PageHeader title={`Version ${versionId}`} crumbs={crumbs} />
        <ErrorState error={version.error} retry={() => version.refetch()} />
      </>
    );
  }
  const v = version.data;
  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={`Version ${v.id}`}
        subtitle={`Created ${formatTime(v.created_at)} by ${v.created_by}`}
      />
      <section className="panel" aria-labelledby="artifact-heading">
        <h2 id="artifact-heading">Artifact</h2>
        <p className="mono break">{v.artifact}</p>
        {v.notes && <p className="description">{v.notes}</p>}
      </section>
      <div className="grid-2">
        <ApprovalStatusPanel appId={appId} versionId={versionId} />
        <ApproveForm appId={appId} versionId={versionId} />
      </div>
      <section className="panel" aria-labelledby="approvals-heading">
        <h2 id="approvals-heading">Approvals given</h2>
        {approvals.isPending ? (
          <Loading label="Loading approvals…" />
        ) : approvals.isError ? (
          <ErrorState error={approvals.error} retry={() => approvals.refetch()} />
        ) : approvals.data.items.length === 0 ? (
          <Empty title="No approvals yet." />
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">By</th>
                  <th scope="col">When</th>
                  <th scope="col">Notes</th>
                </tr>
              </thead>
              <tbody>
                {approvals.data.items.map((a) => (
                  <tr key={`${a.type}-${a.user}`}>
                    <td>
                      <Badge tone="info">{a.type}</Badge>
                    </td>
                    <td>{a.user}</td>
                    <td className="nowrap">{formatTime(a.at)}</td>
                    <td>{a.notes ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
