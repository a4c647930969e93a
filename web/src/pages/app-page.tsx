import { useQuery } from "@tanstack/react-query";
import { get, seg } from "../api";
import { Badge, Empty, ErrorState, formatTime, Loading, PageHeader } from "../components";
import { Link } from "../router";
import type { App, ApprovalStatus, Page, Version } from "../types";
import { criticalityLabel } from "./apps-list";

export function useApp(appId: string, enabled = true) {
  return useQuery({
    queryKey: ["app", appId],
    queryFn: () => get<App>(`/api/apps/${seg(appId)}`),
    enabled,
  });
}

export function useApprovalStatus(appId: string, versionId: string) {
  return useQuery({
    queryKey: ["approval-status", appId, versionId],
    queryFn: () => get<ApprovalStatus>(`/api/apps/${seg(appId)}/versions/${seg(versionId)}/approval-status`),
  });
}

const LINKS: [keyof App, string][] = [
  ["service_url", "Service"],
  ["scm_url", "Source code"],
  ["documentation_url", "Documentation"],
  ["specification_url", "Specification"],
  ["support_url", "Support"],
];

function StatusCell({ appId, versionId }: { readonly appId: string; readonly versionId: string }) {
  const status = useApprovalStatus(appId, versionId);
  if (status.isPending) return <span className="muted small">Checking…</span>;
  if (status.isError) return <span className="muted small">Unknown</span>;
  if (status.data.deployable) return <Badge tone="ok">Deployable</Badge>;
  return <Badge tone="warn">{status.data.missing.length} approval type(s) missing</Badge>;
}

/** One application: what it is, where its links lead, and its versions with their approval state. */
export function AppPage({ appId }: { readonly appId: string }) {
  const app = useApp(appId);
  const versions = useQuery({
    queryKey: ["versions", appId],
    queryFn: () => get<Page<Version>>(`/api/apps/${seg(appId)}/versions`, { limit: 100 }),
  });
  const crumbs = [{ label: "Applications", to: "/apps" }];

  if (app.isPending) return <Loading label="Loading the application…" />;
  if (app.isError) {
    return (
      <>
        <PageHeader title={appId} crumbs={crumbs} />
        <ErrorState error={app.error} retry={() => app.refetch()} />
      </>
    );
  }
  const a = app.data;
  const links = LINKS.filter(([key]) => typeof a[key] === "string" && a[key] !== "");

  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={
          <>
            {a.name} {!a.active && <Badge tone="muted">Inactive</Badge>}
          </>
        }
        subtitle={a.subtitle ?? undefined}
        actions={
          <>
            <Link className="button secondary" to={`/apps/${seg(a.id)}/edit`}>
              Edit
            </Link>
            <Link className="button primary" to={`/apps/${seg(a.id)}/versions/new`}>
              New version
            </Link>
          </>
        }
      />
      <div className="grid-2">
        <section className="panel" aria-labelledby="details-heading">
          <h2 id="details-heading">Details</h2>
          <dl className="details">
            <dt>Id</dt>
            <dd>
              <code>{a.id}</code>
            </dd>
            <dt>Team</dt>
            <dd>
              <Link to={`/teams/${seg(a.team_id)}`}>{a.team_id}</Link>
            </dd>
            <dt>Criticality</dt>
            <dd>{criticalityLabel(a.criticality_level)}</dd>
            <dt>Publicly accessible</dt>
            <dd>{a.publicly_accessible ? "Yes" : "No"}</dd>
            <dt>Incident contact</dt>
            <dd>{a.incident_contact ?? <span className="muted">None</span>}</dd>
            <dt>Last change</dt>
            <dd>
              {formatTime(a.modified_at)} by {a.modified_by}
            </dd>
          </dl>
          {a.description && <p className="description">{a.description}</p>}
        </section>
        <section className="panel" aria-labelledby="links-heading">
          <h2 id="links-heading">Links</h2>
          {links.length === 0 ? (
            <p className="muted">No links yet. Edit the application to add its service and source URLs.</p>
          ) : (
            <ul className="links">
              {links.map(([key, label]) => (
                <li key={key}>
                  <span className="muted small">{label}</span>
                  <a href={String(a[key])} rel="noreferrer noopener" target="_blank">
                    {String(a[key])}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section className="panel" aria-labelledby="versions-heading">
        <div className="panel-header">
          <h2 id="versions-heading">Versions</h2>
        </div>
        {versions.isPending ? (
          <Loading label="Loading versions…" />
        ) : versions.isError ? (
          <ErrorState error={versions.error} retry={() => versions.refetch()} />
        ) : versions.data.items.length === 0 ? (
          <Empty title="No versions yet.">
            <p>A version pins an image by its digest; approvals are given per version.</p>
            <Link className="button primary" to={`/apps/${seg(a.id)}/versions/new`}>
              New version
            </Link>
          </Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col" className="hide-narrow">
                    Artifact
                  </th>
                  <th scope="col">Approvals</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {versions.data.items.map((v) => (
                  <tr key={v.id}>
                    <td>
                      <Link to={`/apps/${seg(a.id)}/versions/${seg(v.id)}`}>{v.id}</Link>
                    </td>
                    <td className="mono truncate hide-narrow" title={v.artifact}>
                      {v.artifact}
                    </td>
                    <td>
                      <StatusCell appId={a.id} versionId={v.id} />
                    </td>
                    <td className="nowrap">
                      {formatTime(v.created_at)} <span className="muted">by {v.created_by}</span>
                    </td>
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
