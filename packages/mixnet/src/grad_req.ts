// grad_req names and MXNet's codes for them (shared by NDArray.attachGrad and mx.autograd).

/** How a variable receives its gradient: overwrite, accumulate, or not at all. */
export type GradReq = 'write' | 'add' | 'null';

const REQ_CODES: Record<GradReq, number> = { null: 0, write: 1, add: 3 };

/** MXNet's grad_req code; throws TypeError on an unknown name. */
export function gradReqCode(req: GradReq): number {
  const c = REQ_CODES[req];
  if (c === undefined) throw new TypeError(`mixnet: grad_req must be 'write', 'add' or 'null', got '${String(req)}'`);
  return c;
}
