// Types for render.js, which the server imports to render the first paint (the browser
// loads the .js itself; this file is never served).
import type { GameWithRevision } from '@scores/contracts';

export interface Filter {
  league: string;
  team: string;
  live: boolean;
}
export interface Facets {
  league: string;
  state: string;
  search: string;
}
export interface Params {
  get(name: string): string | null;
}
export interface MetaLike {
  stale: boolean;
  lastSuccessAt: string | null;
}
export interface SlateEntry {
  gameId: string;
  homeSpread: number | null;
  tiebreaker: boolean;
  week: number;
  game: GameWithRevision | null;
}
export interface PickLike {
  userId: string;
  gameId: string;
  teamId: string;
  keyPick: boolean;
  result: 'win' | 'loss' | 'push' | 'void' | null;
  points: number;
}
export interface StandingLike {
  userId: string;
  rank: number;
  wins: number;
  losses: number;
  pushes: number;
  points: number;
  tiebreak: number | null;
}
export interface LeagueLike {
  againstTheSpread: boolean;
  pointsPerCorrect: number;
  keyPickBonus: number;
  pushPoints: number;
}
export type Group = 'live' | 'upcoming' | 'final';

export function esc(value: unknown): string;
export function leagueKey(game: Pick<GameWithRevision, 'sport' | 'league'>): string;
export function leagueLabel(key: string, short?: boolean): string;
export function groupOf(game: GameWithRevision): Group;
export const GROUPS: readonly { id: Group; title: string; empty: string }[];
export function readFilter(params: Params): Filter;
export function filterQuery(filter: Filter): string;
export function facetsOf(game: GameWithRevision): Facets;
export function matchesFilter(facets: Facets, filter: Filter): boolean;
export function compareGames(a: GameWithRevision, b: GameWithRevision): number;
export function formatSpread(n: number): string;
export function lineText(game: GameWithRevision, homeSpread: number | null | undefined): string;
export function gameCard(game: GameWithRevision): string;
export function scoreSentence(game: GameWithRevision): string;
export function ago(ms: number): string;
export function staleText(meta: MetaLike | null | undefined, nowMs: number): string;
export function rulesText(league: LeagueLike): string;
export function slateTable(entries: readonly SlateEntry[]): string;
export function picksTable(entries: readonly SlateEntry[], picks: readonly PickLike[], opts?: { user?: string }): string;
export function standingsTable(standings: readonly StandingLike[], opts?: { user?: string }): string;
export function countText(n: number): string;
export function boardSections(games: readonly GameWithRevision[], filter: Filter): string;
