import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { get, post, seg } from "../api";
import { Badge, ErrorState, FormError, formatTime, Loading, PageHeader } from "../components";
import type { Client } from "../types";
import { SecretOnce } from "./secret-once";

/** One client: its scopes and redirect URIs, and a new secret on request. */
export function ClientPage({ clientId }: { readonly clientId: string }) {
  const queries = useQueryClient();
  const client = useQuery({
    queryKey: ["client", clientId],
    queryFn: () => get<Client>(`/api/clients/${seg(clientId)}`),
  });
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);
  const rotate = useMutation({
    mutationFn: () => post<Client>(`/api/clients/${seg(clientId)}/secret`),
    onSuccess: async (rotated) => {
      setConfirming(false);
      setSecret(rotated.client_secret);
      await queries.invalidateQueries({ queryKey: ["client", clientId] });
    },
  });
  const crumbs = [{ label: "Clients", to: "/clients" }];
  if (client.isPending) return <Loading label="Loading the client…" />;
  if (client.isError) {
    return (
      <>
        <PageHeader title={clientId} crumbs={crumbs} />
        <ErrorState error={client.error} retry={() => client.refetch()} />
      </>
    );
  }
  const c = client.data;
  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={c.name}
        subtitle={c.description || undefined}
        actions={
          c.confidential &&
          !confirming && (
            <button type="button" className="button secondary" onClick={() => setConfirming(true)}>
              New secret
            </button>
          )
        }
      />
      {confirming && (
        <section className="panel confirm-panel" role="alertdialog" aria-labelledby="rotate-heading">
          <h2 id="rotate-heading">Replace the secret of {c.id}?</h2>
          <p>The current secret stops working at once; services using it fail until they get the new one.</p>
          <FormError error={rotate.error} />
          <div className="form-actions">
            <button
              type="button"
              className="button danger"
              onClick={() => rotate.mutate()}
              disabled={rotate.isPending}
            >
              Replace secret
            </button>
            <button type="button" className="button ghost" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </section>
      )}
      {secret !== undefined && (
        <SecretOnce clientId={c.id} secret={secret} onDone={() => setSecret(undefined)} />
      )}
      <section className="panel">
        <dl className="details">
          <dt>Id</dt>
          <dd>
            <code>{c.id}</code>
          </dd>
          <dt>Team</dt>
          <dd>{c.team_id}</dd>
          <dt>Kind</dt>
          <dd>
            {c.confidential ? <Badge tone="info">Confidential</Badge> : <Badge tone="muted">Public</Badge>}
          </dd>
          <dt>Scopes</dt>
          <dd>
            {c.scopes.length === 0 ? (
              <span className="muted">None</span>
            ) : (
              <span className="chips">
                {c.scopes.map((s) => (
                  <code key={s} className="chip">
                    {s}
                  </code>
                ))}
              </span>
            )}
          </dd>
          <dt>Redirect URIs</dt>
          <dd>
            {c.redirect_uris.length === 0 ? (
              <span className="muted">None</span>
            ) : (
              <ul className="plain mono">
                {c.redirect_uris.map((u) => (
                  <li key={u}>{u}</li>
                ))}
              </ul>
            )}
          </dd>
          <dt>Created</dt>
          <dd>
            {formatTime(c.created_at)} by {c.created_by}
          </dd>
          {c.secret_rotated_at !== null && (
            <>
              <dt>Secret issued</dt>
              <dd>{formatTime(c.secret_rotated_at)}</dd>
            </>
          )}
        </dl>
      </section>
    </>
  );
}
