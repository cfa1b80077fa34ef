// metalearn data: episodic samplers and few-shot datasets (import { data } from 'metalearn').
export type { FewShotDataset, ImageDataset } from './dataset.js';
export { exampleSize } from './dataset.js';
export type { Episode, EpisodeArrays, EpisodeSet, EpisodeSetArrays, EpisodeSource } from './episode.js';
export { EpisodeSampler, type EpisodeSamplerOptions } from './episodeSampler.js';
export { VariableEpisodeSampler, type VariableEpisodeSamplerOptions } from './variableEpisodeSampler.js';
export { MultiSourceSampler, type MultiSourceSamplerOptions } from './multiSourceSampler.js';
export { randomClassRotation, randomCrop, randomHorizontalFlip, type EpisodeSide, type EpisodeTransform } from './episodeTransforms.js';
export { Random } from './random.js';
export { ArrayDataset, type ArrayDatasetInit } from './arrayDataset.js';
export { RotatedClassesDataset, withRotations, type RotatedClass } from './rotatedClassesDataset.js';
export { sinusoid, Sinusoid, sinusoidValue, type RegressionSet, type SinusoidEpisode, type SinusoidOptions, type SinusoidTask } from './sinusoid.js';
export { omniglot, OmniglotDataset, type OmniglotOptions, type OmniglotSplit } from './omniglot.js';
export { omniglotOneShotRuns, type OneShotRun, type OneShotRunsOptions } from './omniglotOneShotRuns.js';
export { OMNIGLOT_ARCHIVES, OMNIGLOT_ONE_SHOT_RUNS, VINYALS_SPLIT_FILES, type RemoteFile, type VinyalsSplit } from './omniglotRemote.js';
export { imageFolder, ImageFolderDataset, readSplitCsv, type ImageFolderOptions, type Listing } from './imageFolder.js';
export {
  featureDataset,
  loadFeatureDataset,
  readFeatureFile,
  readFeatureJsonLines,
  writeFeatureFile,
  type FeatureTable,
  type JsonLinesOptions,
} from './featureDataset.js';
export { defaultFetcher, downloadVerified, fileFetcher, httpFetcher, type Checksum, type DownloadRequest, type Fetcher } from './download.js';
export { DEFAULT_ZIP_LIMITS, extractZip, readZip, type ZipLimits } from './zipArchive.js';
export { encodeNpy, parseNpy, type NpyArray, type NpyDType } from './npy.js';
export { readNpz } from './npz.js';
export { resizeImage, type ResizeMethod } from './resize.js';
export { defaultDataRoot } from './paths.js';
