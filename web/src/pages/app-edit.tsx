import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { get, ProblemError, put, seg } from "../api";
import { ErrorState, Field, FormError, Loading, PageHeader } from "../components";
import { navigate } from "../router";
import type { App } from "../types";
import { useApp } from "./app-page";
import { criticalityLabel, useTeams } from "./apps-list";

const URL_FIELDS = [
  ["service_url", "Service URL"],
  ["scm_url", "Source code URL"],
  ["documentation_url", "Documentation URL"],
  ["specification_url", "Specification URL"],
  ["support_url", "Support URL"],
] as const;

type Draft = Record<string, string | boolean | number>;

function draftOf(app: App | undefined): Draft {
  return {
    id: app?.id ?? "",
    team_id: app?.team_id ?? "",
    name: app?.name ?? "",
    subtitle: app?.subtitle ?? "",
    description: app?.description ?? "",
    service_url: app?.service_url ?? "",
    scm_url: app?.scm_url ?? "",
    documentation_url: app?.documentation_url ?? "",
    specification_url: app?.specification_url ?? "",
    support_url: app?.support_url ?? "",
    incident_contact: app?.incident_contact ?? "",
    criticality_level: app?.criticality_level ?? 2,
    publicly_accessible: app?.publicly_accessible ?? false,
    active: app?.active ?? true,
  };
}

/** Create (no `appId`) or edit an application. */
export function AppEditPage({ appId }: { readonly appId?: string }) {
  const app = useApp(appId ?? "", appId !== undefined);
  if (appId === undefined) return <AppForm />;
  if (app.isPending) return <Loading label="Loading the application…" />;
  if (app.isError) {
    return (
      <>
        <PageHeader title={`Edit ${appId}`} crumbs={[{ label: "Applications", to: "/apps" }]} />
        <ErrorState error={app.error} retry={() => app.refetch()} />
      </>
    );
  }
  return <AppForm app={app.data} />;
}

function AppForm({ app }: { readonly app?: App }) {
  const creating = app === undefined;
  const [draft, setDraft] = useState<Draft>(() => draftOf(app));
  const teams = useTeams();
  const client = useQueryClient();
  const text = (key: string) => String(draft[key] ?? "");
  const set = (key: string, value: string | boolean | number) => setDraft({ ...draft, [key]: value });

  const save = useMutation({
    mutationFn: async () => {
      const id = text("id").trim();
      if (creating) {
        const existing = await get<App>(`/api/apps/${seg(id)}`).catch((error: unknown) => {
          if (error instanceof ProblemError && error.status === 404) return undefined;
          throw error;
        });
        if (existing !== undefined) {
          throw new ProblemError(409, "Conflict", `An application with the id "${id}" already exists.`);
        }
      }
      const optional = (key: string) => (text(key).trim() === "" ? null : text(key).trim());
      return put<App>(`/api/apps/${seg(id)}`, {
        team_id: text("team_id"),
        name: text("name").trim(),
        subtitle: optional("subtitle"),
        description: optional("description"),
        service_url: optional("service_url"),
        scm_url: optional("scm_url"),
        documentation_url: optional("documentation_url"),
        specification_url: optional("specification_url"),
        support_url: optional("support_url"),
        incident_contact: optional("incident_contact"),
        criticality_level: Number(draft.criticality_level),
        publicly_accessible: draft.publicly_accessible === true,
        active: draft.active === true,
      });
    },
    onSuccess: async (saved) => {
      await client.invalidateQueries({ queryKey: ["apps"] });
      client.setQueryData(["app", saved.id], saved);
      navigate(`/apps/${seg(saved.id)}`);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  const crumbs = [{ label: "Applications", to: "/apps" }];
  if (app !== undefined) crumbs.push({ label: app.name, to: `/apps/${seg(app.id)}` });

  return (
    <>
      <PageHeader crumbs={crumbs} title={creating ? "New application" : `Edit ${app.name}`} />
      <form className="panel form" onSubmit={submit}>
        <fieldset>
          <legend>Identity</legend>
          <div className="form-grid">
            <Field label="Id" hint="Lowercase letters, digits and dashes; it cannot change later.">
              {(id, hint) => (
                <input
                  id={id}
                  aria-describedby={hint}
                  required
                  disabled={!creating}
                  pattern="[a-z][a-z0-9\-]*[a-z0-9]"
                  maxLength={64}
                  value={text("id")}
                  onChange={(e) => set("id", e.target.value)}
                  autoComplete="off"
                />
              )}
            </Field>
            <Field label="Team">
              {(id) => (
                <select
                  id={id}
                  required
                  value={text("team_id")}
                  onChange={(e) => set("team_id", e.target.value)}
                >
                  <option value="">Choose a team…</option>
                  {teams.data?.items.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name} ({t.id})
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Name">
              {(id) => (
                <input
                  id={id}
                  required
                  maxLength={200}
                  value={text("name")}
                  onChange={(e) => set("name", e.target.value)}
                />
              )}
            </Field>
            <Field label="Subtitle">
              {(id) => (
                <input
                  id={id}
                  maxLength={200}
                  value={text("subtitle")}
                  onChange={(e) => set("subtitle", e.target.value)}
                />
              )}
            </Field>
          </div>
          <Field label="Description" hint="Markdown.">
            {(id, hint) => (
              <textarea
                id={id}
                aria-describedby={hint}
                rows={4}
                maxLength={20000}
                value={text("description")}
                onChange={(e) => set("description", e.target.value)}
              />
            )}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Links</legend>
          <div className="form-grid">
            {URL_FIELDS.map(([key, label]) => (
              <Field key={key} label={label}>
                {(id) => (
                  <input
                    id={id}
                    type="url"
                    placeholder="https://"
                    maxLength={2000}
                    value={text(key)}
                    onChange={(e) => set(key, e.target.value)}
                  />
                )}
              </Field>
            ))}
            <Field label="Incident contact">
              {(id) => (
                <input
                  id={id}
                  maxLength={200}
                  value={text("incident_contact")}
                  onChange={(e) => set("incident_contact", e.target.value)}
                />
              )}
            </Field>
          </div>
        </fieldset>
        <fieldset>
          <legend>Operations</legend>
          <div className="form-grid">
            <Field label="Criticality" hint="Decides which approvals a version needs.">
              {(id, hint) => (
                <select
                  id={id}
                  aria-describedby={hint}
                  value={String(draft.criticality_level)}
                  onChange={(e) => set("criticality_level", Number(e.target.value))}
                >
                  {[1, 2, 3, 4].map((level) => (
                    <option key={level} value={level}>
                      {criticalityLabel(level)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.publicly_accessible === true}
              onChange={(e) => set("publicly_accessible", e.target.checked)}
            />
            Publicly accessible from the internet
          </label>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={draft.active === true}
              onChange={(e) => set("active", e.target.checked)}
            />
            Active
          </label>
        </fieldset>
        <FormError error={save.error} />
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            {save.isPending ? "Saving…" : creating ? "Create application" : "Save changes"}
          </button>
          <button type="button" className="button ghost" onClick={() => window.history.back()}>
            Cancel
          </button>
        </div>
      </form>
    </>
  );
}
