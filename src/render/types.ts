// What rendering produces: every file one server receives, with the metadata the engine needs
// to install it (mode, owner) and to decide what to show (secrets are never printed).

/** Groups files so playbooks can install one concern at a time and notify its handler. */
export type FileTag =
  | "network"
  | "hosts"
  | "dhcp"
  | "tftp"
  | "pxelinux"
  | "grub"
  | "kickstart"
  | "ftp"
  | "http"
  | "ha"
  | "guard";

export interface RenderedFile {
  /** Absolute path on the server. */
  path: string;
  content: string;
  /** e.g. 0o644; 0o600 for secrets. */
  mode: number;
  owner: string;
  group: string;
  /** Content must never appear in output, diffs or logs. */
  secret: boolean;
  tag: FileTag;
}
