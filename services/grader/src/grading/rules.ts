/**
 * SPEC "Grading" as pure functions. The set-based SQL in grading/sql.ts implements the
 * same rules for every pick of a game at once; an integration test holds the two to
 * the same table of cases.
 */
export type PickResult = 'win' | 'loss' | 'push' | 'void';

/** Who a game's result favours for one league: the side that covers, a push, or void. */
export type Outcome = 'home' | 'away' | 'push' | 'void';

export interface GradableGame {
  /** final: gradeable on its scores; void: postponed or canceled */
  state: 'final' | 'void';
  homeTeamId: string;
  awayTeamId: string;
  homeScore: number | null;
  awayScore: number | null;
}

export interface LeagueScoring {
  againstTheSpread: boolean;
  pointsPerCorrect: number;
  keyPickBonus: number;
  pushPoints: number;
}

export interface PickChoice {
  teamId: string;
  keyPick: boolean;
}

/**
 * Against the spread when the league's game has a locked home spread: home covers when
 * home - away + spread > 0, away when < 0, a push at 0. Straight up otherwise (a tie is a
 * push). The league's againstTheSpread only decides which spread is locked when the game
 * is put on its slate without one (see putLeagueGame).
 */
export function outcomeOf(game: GradableGame, homeSpread: number | null): Outcome {
  if (game.state === 'void' || game.homeScore === null || game.awayScore === null) return 'void';
  const margin = game.homeScore - game.awayScore + (homeSpread ?? 0);
  return margin > 0 ? 'home' : margin < 0 ? 'away' : 'push';
}

/**
 * One pick's result and points. A pick of a team no longer in the game (ESPN replaced
 * an undecided team after the pick) is void rather than a loss.
 */
export function gradePick(
  game: GradableGame,
  homeSpread: number | null,
  league: LeagueScoring,
  pick: PickChoice,
): { result: PickResult; points: number } {
  const outcome = outcomeOf(game, homeSpread);
  if (outcome === 'void' || (pick.teamId !== game.homeTeamId && pick.teamId !== game.awayTeamId)) {
    return { result: 'void', points: 0 };
  }
  if (outcome === 'push') return { result: 'push', points: league.pushPoints };
  const winner = outcome === 'home' ? game.homeTeamId : game.awayTeamId;
  if (pick.teamId !== winner) return { result: 'loss', points: 0 };
  return { result: 'win', points: league.pointsPerCorrect + (pick.keyPick ? league.keyPickBonus : 0) };
}

export interface MemberWeek {
  userId: string;
  wins: number;
  losses: number;
  pushes: number;
  points: number;
  /** |pointsGuess - total points of the tiebreak game|; null until that game is final */
  tiebreak: number | null;
}

export interface RankedMember extends MemberWeek {
  rank: number;
}

/** Points first, then the smaller tiebreak (none ranks last); members still tied share a rank (SQL RANK()). */
export function rankStandings(members: MemberWeek[]): RankedMember[] {
  const better = (a: MemberWeek, b: MemberWeek): number => {
    if (a.points !== b.points) return b.points - a.points;
    if (a.tiebreak === b.tiebreak) return 0;
    if (a.tiebreak === null) return 1;
    if (b.tiebreak === null) return -1;
    return a.tiebreak - b.tiebreak;
  };
  const sorted = [...members].sort((a, b) => better(a, b) || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  const ranked: RankedMember[] = [];
  sorted.forEach((m, i) => {
    const prev = ranked[i - 1];
    const rank = prev && better(prev, m) === 0 ? prev.rank : i + 1;
    ranked.push({ ...m, rank });
  });
  return ranked;
}

export interface GradedPick {
  userId: string;
  gameId: string;
  result: PickResult | null;
  points: number;
  pointsGuess: number | null;
}

/**
 * One league-week's standings from its picks. `tiebreak` is the week's tiebreak game and
 * its total points (null while it is not final); a member's distance comes from the
 * points guess on their pick of that game.
 */
export function weekStandings(picks: GradedPick[], tiebreak: { gameId: string; total: number | null } | null): RankedMember[] {
  const byUser = new Map<string, MemberWeek>();
  for (const p of picks) {
    let m = byUser.get(p.userId);
    if (!m) {
      m = { userId: p.userId, wins: 0, losses: 0, pushes: 0, points: 0, tiebreak: null };
      byUser.set(p.userId, m);
    }
    if (p.result === 'win') m.wins++;
    else if (p.result === 'loss') m.losses++;
    else if (p.result === 'push') m.pushes++;
    m.points += p.points;
    if (tiebreak && tiebreak.total !== null && p.gameId === tiebreak.gameId && p.pointsGuess !== null) {
      m.tiebreak = Math.abs(p.pointsGuess - tiebreak.total);
    }
  }
  return rankStandings([...byUser.values()]);
}
