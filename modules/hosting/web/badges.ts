/** The badge class of an object's or a task's status: success, warning, error, running, info or neutral. */
export function badgeOf(status: string): string {
  switch (status) {
    case 'installed': case 'verified': case 'success': return 'success';
    case 'disabled': case 'warning': case 'locked': return 'warning';
    case 'failed': case 'error': return 'error';
    case 'processing': return 'running';
    case 'new': case 'queued': return 'info';
    default: return 'neutral';
  }
}

/** How a task status reads in a badge. */
export function taskStatusLabel(status: string): string {
  return status === 'processing' ? 'running' : status;
}

/** A status cell (a badge), linking to `href` when given. */
export function badge(status: string, href?: string): { text: string; badge: string; href?: string } {
  return { text: taskStatusLabel(status), badge: badgeOf(status), ...(href ? { href } : {}) };
}
