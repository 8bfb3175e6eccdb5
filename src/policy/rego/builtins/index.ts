/** Registers every builtin family. */
import './comparison';
import './numbers';
import './aggregates';
import './sets';
