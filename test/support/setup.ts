import 'reflect-metadata';
import * as chai from 'chai';
import chaiAsPromised from 'chai-as-promised';
import { guardAgainstLeakedHandles } from './leak-guard.js';

chai.use(chaiAsPromised);

export const mochaHooks = guardAgainstLeakedHandles();
