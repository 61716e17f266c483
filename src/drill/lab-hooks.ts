// What the drill needs from the local lab: faults no SSH command can cause (a host's power, a
// link seen from the switch, a host whose every process is stopped), what a fence agent did
// during the drill, and a wave of install clients. Real servers have none of these.
import type { Phase, ProfileName } from "../lab/client/profile.js";
import type { ClientOutcome, LinkFault, TransferSample } from "./types.js";

/** How the drill's wave of lab clients runs. */
export interface WaveRequest {
  profile: ProfileName;
  /** Client n starts n x this many ms after the first (so several are in each phase). */
  staggerMs: number;
  /** Called as a client enters an install phase. */
  onPhase: (client: string, phase: Phase) => void;
}

export interface LabHooks {
  name: string;
  /** Resolves with the epoch ms the fault took effect (the lab shares the servers' clock). */
  powerOff(server: string): Promise<number>;
  /** Returns once the host's sshd answers again. */
  powerOn(server: string): Promise<void>;
  /**
   * Breaks the server's link `ifname` (eth0: the LAN, eth1: the heartbeat link): `down` at
   * the cable's far end, `drop` with iptables rules in the server's network namespace.
   */
  linkDown(server: string, ifname: string, how: LinkFault): Promise<number>;
  linkUp(server: string, ifname: string): Promise<void>;
  /** Stops every process of the server; resolves with the moment they were stopped. */
  freeze(server: string): Promise<number>;
  /**
   * Resumes a frozen server, or powers it on again when a fence agent powered it off during
   * the freeze (then its sshd answers again when this returns).
   */
  thaw(server: string): Promise<"resumed" | "powered-on">;
  /**
   * When the server was last powered off, if that was at `sinceMs` or later (by the drill or
   * by a peer's fence agent), and whether it is still off.
   */
  poweredOffSince(
    server: string,
    sinceMs: number,
  ): Promise<{ atMs: number; off: boolean } | undefined>;
  /** Starts every client of the lab on 100 Mb/s links; resolves when all finished or failed. */
  runWave(req: WaveRequest): Promise<WaveOutcome>;
}

export interface WaveOutcome {
  clients: ClientOutcome[];
  transfers: TransferSample[];
}
