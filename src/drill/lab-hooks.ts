// What the drill needs from the local lab: faults no SSH command can cause (a host's power, a
// link seen from the switch) and a wave of install clients. Real servers have none of these.
import type { ClientOutcome, TransferSample } from "./types.js";

export interface LabHooks {
  name: string;
  /** Resolves with the epoch ms the fault took effect (the lab shares the servers' clock). */
  powerOff(server: string): Promise<number>;
  /** Returns once the host's sshd answers again. */
  powerOn(server: string): Promise<void>;
  linkDown(server: string): Promise<number>;
  linkUp(server: string): Promise<void>;
  /** Starts every client of the lab on 100 Mb/s links; resolves when all finished or failed. */
  runWave(): Promise<WaveOutcome>;
}

export interface WaveOutcome {
  clients: ClientOutcome[];
  transfers: TransferSample[];
}
