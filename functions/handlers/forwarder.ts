// Placeholder: the forwarder handler is being written (issue 4).
export const handler = async (): Promise<void> => {};
