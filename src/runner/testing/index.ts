// Fake runner for tests of the layers above the engine (scheduler, inference).
//   new FakeRunner(opts, { script?, tokenDelayMs?, memory? }) — scripted Runner; .crash() simulates a dead child
//   createFakeRunnerFactory(perLoad?) — CreateRunner producing FakeRunners; `.loaded` records them
//   FAKE_SCRIPT — the greedy text (stories260K's continuation of "Once upon a time")
export { FakeRunner, createFakeRunnerFactory, FAKE_SCRIPT, type FakeRunnerOptions } from "./fake-runner.js";
