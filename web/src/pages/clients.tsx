import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { get, post, seg } from "../api";
import {
  Badge,
  Empty,
  ErrorState,
  Field,
  FormError,
  Loading,
  PageHeader,
  Pager,
  useCursorPages,
} from "../components";
import { Link } from "../router";
import type { Client, Page } from "../types";
import { useTeams } from "./apps-list";
import { SecretOnce } from "./secret-once";

const words = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter((w) => w !== "");

function NewClientForm(props: {
  readonly onCreated: (client: Client) => void;
  readonly onCancel: () => void;
}) {
  const teams = useTeams();
  const [id, setId] = useState("");
  const [team, setTeam] = useState("");
  const [name, setName] = useState("");
  const [confidential, setConfidential] = useState(true);
  const [scopes, setScopes] = useState("");
  const [redirects, setRedirects] = useState("");
  const create = useMutation({
    mutationFn: () =>
      post<Client>("/api/clients", {
        id: id.trim(),
        team_id: team,
        name: name.trim(),
        confidential,
        scopes: words(scopes),
        redirect_uris: words(redirects),
      }),
    onSuccess: props.onCreated,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="panel form" onSubmit={submit} aria-labelledby="new-client-heading">
      <h2 id="new-client-heading">New client</h2>
      <div className="form-grid">
        <Field label="Id">
          {(f) => (
            <input
              id={f}
              required
              maxLength={64}
              value={id}
              onChange={(e) => setId(e.target.value)}
              autoComplete="off"
            />
          )}
        </Field>
        <Field label="Team">
          {(f) => (
            <select id={f} required value={team} onChange={(e) => setTeam(e.target.value)}>
              <option value="">Choose a team…</option>
              {teams.data?.items.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Name">
          {(f) => (
            <input id={f} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
          )}
        </Field>
        <Field label="Scopes" hint="Separated by spaces, such as apps.read">
          {(f, hint) => (
            <input
              id={f}
              aria-describedby={hint}
              value={scopes}
              onChange={(e) => setScopes(e.target.value)}
            />
          )}
        </Field>
      </div>
      <Field label="Redirect URIs" hint="Only for clients that log people in; one per line.">
        {(f, hint) => (
          <textarea
            id={f}
            aria-describedby={hint}
            rows={2}
            value={redirects}
            onChange={(e) => setRedirects(e.target.value)}
          />
        )}
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={confidential} onChange={(e) => setConfidential(e.target.checked)} />
        Confidential (a service with a secret)
      </label>
      <FormError error={create.error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={create.isPending}>
          Create client
        </button>
        <button type="button" className="button ghost" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Service clients and their scopes; a new confidential client's secret is shown once. */
export function ClientsPage() {
  const client = useQueryClient();
  const teams = useTeams();
  const [team, setTeam] = useState("");
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ id: string; secret: string } | undefined>(undefined);
  const pages = useCursorPages<string>();
  const cursor = pages.cursor;
  const clients = useQuery({
    queryKey: ["clients", { team, cursor }],
    queryFn: () => get<Page<Client>>("/api/clients", { team, cursor, limit: 50 }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title="Clients"
        subtitle="Services and tools that get tokens from Charter, and the scopes they may ask for."
        actions={
          !creating && (
            <button type="button" className="button primary" onClick={() => setCreating(true)}>
              New client
            </button>
          )
        }
      />
      {secret !== undefined && (
        <SecretOnce clientId={secret.id} secret={secret.secret} onDone={() => setSecret(undefined)} />
      )}
      {creating && (
        <NewClientForm
          onCancel={() => setCreating(false)}
          onCreated={async (created) => {
            setCreating(false);
            if (created.client_secret !== undefined)
              setSecret({ id: created.id, secret: created.client_secret });
            await client.invalidateQueries({ queryKey: ["clients"] });
          }}
        />
      )}
      <div className="toolbar">
        <div className="toolbar-filters">
          <label htmlFor="client-team">Team</label>
          <select
            id="client-team"
            value={team}
            onChange={(e) => {
              setTeam(e.target.value);
              pages.reset();
            }}
          >
            <option value="">All teams</option>
            {teams.data?.items.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {clients.isPending ? (
        <Loading label="Loading clients…" />
      ) : clients.isError ? (
        <ErrorState error={clients.error} retry={() => clients.refetch()} />
      ) : clients.data.items.length === 0 ? (
        <Empty title="No clients here yet." />
      ) : (
        <>
          <div className="panel flush">
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Client</th>
                    <th scope="col">Team</th>
                    <th scope="col" className="hide-narrow">
                      Kind
                    </th>
                    <th scope="col">Scopes</th>
                  </tr>
                </thead>
                <tbody>
                  {clients.data.items.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <Link to={`/clients/${seg(c.id)}`}>{c.name}</Link>
                        <div className="muted small mono">{c.id}</div>
                      </td>
                      <td>{c.team_id}</td>
                      <td className="hide-narrow">
                        {c.confidential ? (
                          <Badge tone="info">Confidential</Badge>
                        ) : (
                          <Badge tone="muted">Public</Badge>
                        )}
                      </td>
                      <td>
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
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <Pager {...pages.pager(clients.data.next_cursor)} />
        </>
      )}
    </>
  );
}
