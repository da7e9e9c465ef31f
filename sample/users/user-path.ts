import type { PathTemplate } from 'fennflow-nestjs';

/** The folder of one user's files, the same in every namespace: `users/user_42`. */
export class UserPath implements PathTemplate {
  constructor(readonly userId: number) {}

  render(): string {
    return `users/user_${this.userId}`;
  }
}
