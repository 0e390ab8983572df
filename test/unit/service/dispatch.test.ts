import { describe, expect, it } from 'vitest';
import { StrataError } from '../../../main/common/errors.ts';
import { createDispatch } from '../../../main/node/service/dispatch.ts';
import { serviceWithFakes, unionConfig } from '../../support/serviceFakes.ts';

describe('dispatch', () => {
  const setup = () => {
    const fakes = serviceWithFakes();
    return { ...fakes, dispatch: createDispatch(fakes.service, { pickFolder: async () => null }) };
  };

  it('answers in the envelope', async () => {
    const { dispatch } = setup();
    expect(await dispatch('unions:list', {})).toEqual({ result: [] });
    expect(await dispatch('fs:pickFolder', {})).toEqual({ result: null });
  });

  it('turns unknown channels, bad arguments and failures into error data', async () => {
    const { dispatch, tracker, backend, dir } = setup();
    expect(await dispatch('shell:exec', {})).toEqual({ error: { code: 'INVALID_ARGUMENT', message: "Unknown request 'shell:exec'." } });
    expect(await dispatch('unions:mount', { mountpoint: 'x' })).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    const config = unionConfig(dir);
    backend.mounts.set(config.mountpoint, config);
    const report = { busy: true, users: [{ pid: 7, command: 'vim', paths: ['/mnt/a'] }] };
    tracker.busy.set(`${config.mountpoint}#*`, report);
    expect(await dispatch('unions:unmount', { mountpoint: config.mountpoint })).toEqual({
      error: { code: 'BUSY', message: expect.stringContaining('vim (pid 7)'), details: report },
    });
  });

  it('keeps a StrataError thrown by the host', async () => {
    const { service } = setup();
    const dispatch = createDispatch(service, {
      pickFolder: async () => {
        throw new StrataError('UNAVAILABLE', 'No display.');
      },
    });
    expect(await dispatch('fs:pickFolder', { title: 'x' })).toEqual({ error: { code: 'UNAVAILABLE', message: 'No display.' } });
  });

  it('answers TIMEOUT, naming the union, when a call outlives its deadline', async () => {
    const { service, backend, dir } = setup();
    const config = unionConfig(dir);
    backend.where = () => new Promise(() => undefined);
    const dispatch = createDispatch(service, { pickFolder: async () => null }, () => 30);
    expect(await dispatch('unions:where', { mountpoint: config.mountpoint, relPath: '/a' })).toEqual({
      error: { code: 'TIMEOUT', message: expect.stringContaining(`unions:where for ${config.mountpoint} did not finish within 0.03 s`) },
    });
  });
});
