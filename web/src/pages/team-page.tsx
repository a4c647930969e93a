import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { del, get, put, seg } from "../api";
import { Empty, ErrorState, Field, FormError, formatTime, Loading, PageHeader } from "../components";
import { Link } from "../router";
import type { Team } from "../types";

/** One team and its members; members and admins may add and remove members. */
export function TeamPage({ teamId }: { readonly teamId: string }) {
  const client = useQueryClient();
  const team = useQuery({
    queryKey: ["team", teamId],
    queryFn: () => get<Team>(`/api/teams/${seg(teamId)}`),
  });
  const [user, setUser] = useState("");
  const refresh = () => client.invalidateQueries({ queryKey: ["team", teamId] });
  const add = useMutation({
    mutationFn: () => put<unknown>(`/api/teams/${seg(teamId)}/members/${seg(user.trim())}`, undefined),
    onSuccess: async () => {
      setUser("");
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (member: string) => del(`/api/teams/${seg(teamId)}/members/${seg(member)}`),
    onSuccess: refresh,
  });
  const crumbs = [{ label: "Teams", to: "/teams" }];

  if (team.isPending) return <Loading label="Loading the team…" />;
  if (team.isError) {
    return (
      <>
        <PageHeader title={teamId} crumbs={crumbs} />
        <ErrorState error={team.error} retry={() => team.refetch()} />
      </>
    );
  }
  const t = team.data;
  const members = t.members ?? [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <>
      <PageHeader
        crumbs={crumbs}
        title={t.name}
        subtitle={t.description || `Created ${formatTime(t.created_at)}`}
        actions={
          <Link className="button secondary" to={`/images?team=${seg(t.id)}`}>
            Images
          </Link>
        }
      />
      <div className="grid-2">
        <section className="panel" aria-labelledby="members-heading">
          <h2 id="members-heading">Members ({members.length})</h2>
          {members.length === 0 ? (
            <Empty title="No members yet." />
          ) : (
            <ul className="member-list">
              {members.map((m) => (
                <li key={m}>
                  <span className="avatar" aria-hidden="true">
                    {m.slice(0, 1).toUpperCase()}
                  </span>
                  <span className="member-name">{m}</span>
                  <button
                    type="button"
                    className="button ghost small"
                    onClick={() => remove.mutate(m)}
                    disabled={remove.isPending}
                    aria-label={`Remove ${m} from ${t.name}`}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <FormError error={remove.error} />
        </section>
        <section className="panel" aria-labelledby="add-heading">
          <h2 id="add-heading">Add a member</h2>
          <form className="form" onSubmit={submit}>
            <Field label="User id">
              {(id) => (
                <input
                  id={id}
                  required
                  maxLength={64}
                  value={user}
                  onChange={(e) => setUser(e.target.value)}
                  autoComplete="off"
                />
              )}
            </Field>
            <FormError error={add.error} />
            <div className="form-actions">
              <button type="submit" className="button primary" disabled={add.isPending}>
                Add member
              </button>
            </div>
          </form>
          <h3>AWS accounts</h3>
          {t.aws_accounts.length === 0 ? (
            <p className="muted">None assigned.</p>
          ) : (
            <ul className="plain mono">
              {t.aws_accounts.map((a) => (
                <li key={a}>{a}</li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
