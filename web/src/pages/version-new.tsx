import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { get, ProblemError, put, seg } from "../api";
import { Field, FormError, PageHeader } from "../components";
import { navigate } from "../router";
import type { Version } from "../types";
import { useApp } from "./app-page";

/** Registers a version: an id and the image it pins by digest. */
export function VersionNewPage({ appId }: { readonly appId: string }) {
  const app = useApp(appId);
  const client = useQueryClient();
  const [id, setId] = useState("");
  const [artifact, setArtifact] = useState("");
  const [notes, setNotes] = useState("");
  const save = useMutation({
    mutationFn: async () => {
      const path = `/api/apps/${seg(appId)}/versions/${seg(id.trim())}`;
      const existing = await get<Version>(path).catch((error: unknown) => {
        if (error instanceof ProblemError && error.status === 404) return undefined;
        throw error;
      });
      if (existing !== undefined) {
        throw new ProblemError(
          409,
          "Conflict",
          `Version "${id.trim()}" already exists; versions cannot change.`,
        );
      }
      return put<Version>(path, {
        artifact: artifact.trim(),
        ...(notes.trim() === "" ? {} : { notes: notes.trim() }),
      });
    },
    onSuccess: async (version) => {
      await client.invalidateQueries({ queryKey: ["versions", appId] });
      navigate(`/apps/${seg(appId)}/versions/${seg(version.id)}`);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <>
      <PageHeader
        crumbs={[
          { label: "Applications", to: "/apps" },
          { label: app.data?.name ?? appId, to: `/apps/${seg(appId)}` },
        ]}
        title="New version"
      />
      <form className="panel form" onSubmit={submit}>
        <div className="form-grid">
          <Field label="Version" hint="Such as 1.4.2 or 2026-01-05-a.">
            {(fieldId, hint) => (
              <input
                id={fieldId}
                aria-describedby={hint}
                required
                maxLength={64}
                pattern="[A-Za-z0-9]+([._\-][A-Za-z0-9]+)*"
                value={id}
                onChange={(e) => setId(e.target.value)}
                autoComplete="off"
              />
            )}
          </Field>
        </div>
        <Field label="Artifact" hint="The image pinned by digest: registry/team/name:tag@sha256:…">
          {(fieldId, hint) => (
            <input
              id={fieldId}
              aria-describedby={hint}
              className="mono"
              required
              maxLength={500}
              value={artifact}
              onChange={(e) => setArtifact(e.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          )}
        </Field>
        <Field label="Notes" hint="Markdown; what changed.">
          {(fieldId, hint) => (
            <textarea
              id={fieldId}
              aria-describedby={hint}
              rows={4}
              maxLength={20000}
              value={notes}
              onChange={(e) => setNotes(e.target.value)}
            />
          )}
        </Field>
        <FormError error={save.error} />
        <div className="form-actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            {save.isPending ? "Creating…" : "Create version"}
          </button>
          <button type="button" className="button ghost" onClick={() => window.history.back()}>
            Cancel
          </button>
        </div>
      </form>
    </>
  );
}
