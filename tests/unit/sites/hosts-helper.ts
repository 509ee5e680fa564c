import { allImageHosts } from '../../../utils/sites';
import { compilePatterns } from '../../../utils/sites/match';

export const IMAGE_HOSTS_FOR_TEST = compilePatterns(allImageHosts());
