/**
 * What the last action on a list said: a notice when it worked, the error
 * when it did not. After each success the list reloads, so what the page
 * shows is what the server now holds, never a local guess.
 */
export class ActionStatus {
  notice = $state('');
  error = $state<unknown>(null);

  constructor(private readonly reload: () => Promise<void>) {}

  async run(what: () => Promise<unknown>, done: string): Promise<void> {
    this.error = null;
    this.notice = '';
    try {
      await what();
      this.notice = done;
      await this.reload();
    } catch (err) {
      this.error = err;
    }
  }
}
