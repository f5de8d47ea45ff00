/** The baseline saga's activities: they do nothing, so only Temporal's own work is measured. */
export interface BaselineActivities {
  hold(id: string): Promise<void>;
  record(id: string): Promise<void>;
  transition(id: string, status: string): Promise<void>;
}

export const baselineActivities: BaselineActivities = {
  async hold() {},
  async record() {},
  async transition() {},
};
