import { PolicyError, type ActionPattern } from './policy.js';
import { compileGlob, globMatch, hasWildcard } from './wildcard.js';

/**
 * Every action Amazon S3 defines for IAM policies, as AWS's Service
 * Authorization Reference ("Actions defined by Amazon S3") lists them. Several
 * API calls share one action: HeadBucket and ListObjects(V2) are s3:ListBucket,
 * HeadObject and SelectObjectContent are s3:GetObject, the multipart calls
 * other than Abort and ListParts are s3:PutObject.
 */
export const S3_ACTIONS = [
  's3:AbortMultipartUpload', 's3:AllowVendedLogDeliveryForResource', 's3:AssociateAccessGrantsIdentityCenter',
  's3:BypassGovernanceRetention',
  's3:CreateAccessGrant', 's3:CreateAccessGrantsInstance', 's3:CreateAccessGrantsLocation', 's3:CreateAccessPoint',
  's3:CreateAccessPointForObjectLambda', 's3:CreateBucket', 's3:CreateBucketMetadataTableConfiguration', 's3:CreateJob',
  's3:CreateMultiRegionAccessPoint', 's3:CreateStorageLensGroup',
  's3:DeleteAccessGrant', 's3:DeleteAccessGrantsInstance', 's3:DeleteAccessGrantsInstanceResourcePolicy',
  's3:DeleteAccessGrantsLocation', 's3:DeleteAccessPoint', 's3:DeleteAccessPointForObjectLambda', 's3:DeleteAccessPointPolicy',
  's3:DeleteAccessPointPolicyForObjectLambda', 's3:DeleteBucket', 's3:DeleteBucketMetadataTableConfiguration',
  's3:DeleteBucketPolicy', 's3:DeleteBucketWebsite', 's3:DeleteJobTagging', 's3:DeleteMultiRegionAccessPoint',
  's3:DeleteObject', 's3:DeleteObjectAnnotation', 's3:DeleteObjectTagging', 's3:DeleteObjectVersion',
  's3:DeleteObjectVersionAnnotation', 's3:DeleteObjectVersionTagging', 's3:DeleteStorageLensConfiguration',
  's3:DeleteStorageLensConfigurationTagging', 's3:DeleteStorageLensGroup',
  's3:DescribeJob', 's3:DescribeMultiRegionAccessPointOperation', 's3:DissociateAccessGrantsIdentityCenter',
  's3:GetAccelerateConfiguration', 's3:GetAccessGrant', 's3:GetAccessGrantsInstance', 's3:GetAccessGrantsInstanceForPrefix',
  's3:GetAccessGrantsInstanceResourcePolicy', 's3:GetAccessGrantsLocation', 's3:GetAccessPoint',
  's3:GetAccessPointConfigurationForObjectLambda', 's3:GetAccessPointForObjectLambda', 's3:GetAccessPointPolicy',
  's3:GetAccessPointPolicyForObjectLambda', 's3:GetAccessPointPolicyStatus', 's3:GetAccessPointPolicyStatusForObjectLambda',
  's3:GetAccountPublicAccessBlock', 's3:GetAnalyticsConfiguration', 's3:GetBucketAbac', 's3:GetBucketAcl', 's3:GetBucketCORS',
  's3:GetBucketLocation', 's3:GetBucketLogging', 's3:GetBucketMetadataTableConfiguration', 's3:GetBucketNotification',
  's3:GetBucketObjectLockConfiguration', 's3:GetBucketOwnershipControls', 's3:GetBucketPolicy', 's3:GetBucketPolicyStatus',
  's3:GetBucketPublicAccessBlock', 's3:GetBucketRequestPayment', 's3:GetBucketTagging', 's3:GetBucketVersioning',
  's3:GetBucketWebsite', 's3:GetDataAccess', 's3:GetEncryptionConfiguration', 's3:GetIntelligentTieringConfiguration',
  's3:GetInventoryConfiguration', 's3:GetJobTagging', 's3:GetLifecycleConfiguration', 's3:GetMetricsConfiguration',
  's3:GetMultiRegionAccessPoint', 's3:GetMultiRegionAccessPointPolicy', 's3:GetMultiRegionAccessPointPolicyStatus',
  's3:GetMultiRegionAccessPointRoutes', 's3:GetObject', 's3:GetObjectAcl', 's3:GetObjectAnnotation', 's3:GetObjectAttributes',
  's3:GetObjectLegalHold', 's3:GetObjectRetention', 's3:GetObjectTagging', 's3:GetObjectTorrent', 's3:GetObjectVersion',
  's3:GetObjectVersionAcl', 's3:GetObjectVersionAnnotation', 's3:GetObjectVersionAnnotationForReplication',
  's3:GetObjectVersionAttributes', 's3:GetObjectVersionForReplication', 's3:GetObjectVersionTagging',
  's3:GetObjectVersionTorrent', 's3:GetReplicationConfiguration', 's3:GetStorageLensConfiguration',
  's3:GetStorageLensConfigurationTagging', 's3:GetStorageLensDashboard', 's3:GetStorageLensGroup',
  's3:InitiateReplication',
  's3:ListAccessGrants', 's3:ListAccessGrantsInstances', 's3:ListAccessGrantsLocations', 's3:ListAccessPoints',
  's3:ListAccessPointsForObjectLambda', 's3:ListAllMyBuckets', 's3:ListBucket', 's3:ListBucketMultipartUploads',
  's3:ListBucketVersions', 's3:ListCallerAccessGrants', 's3:ListJobs', 's3:ListMultiRegionAccessPoints',
  's3:ListMultipartUploadParts', 's3:ListObjectAnnotations', 's3:ListObjectVersionAnnotations',
  's3:ListStorageLensConfigurations', 's3:ListStorageLensGroups', 's3:ListTagsForResource',
  's3:ObjectOwnerOverrideToBucketOwner',
  's3:PauseReplication', 's3:PutAccelerateConfiguration', 's3:PutAccessGrantsInstanceResourcePolicy',
  's3:PutAccessPointConfigurationForObjectLambda', 's3:PutAccessPointPolicy', 's3:PutAccessPointPolicyForObjectLambda',
  's3:PutAccessPointPublicAccessBlock', 's3:PutAccountPublicAccessBlock', 's3:PutAnalyticsConfiguration', 's3:PutBucketAbac',
  's3:PutBucketAcl', 's3:PutBucketCORS', 's3:PutBucketLogging', 's3:PutBucketNotification',
  's3:PutBucketObjectLockConfiguration', 's3:PutBucketOwnershipControls', 's3:PutBucketPolicy',
  's3:PutBucketPublicAccessBlock', 's3:PutBucketRequestPayment', 's3:PutBucketTagging', 's3:PutBucketVersioning',
  's3:PutBucketWebsite', 's3:PutEncryptionConfiguration', 's3:PutIntelligentTieringConfiguration',
  's3:PutInventoryConfiguration', 's3:PutJobTagging', 's3:PutLifecycleConfiguration', 's3:PutMetricsConfiguration',
  's3:PutMultiRegionAccessPointPolicy', 's3:PutObject', 's3:PutObjectAcl', 's3:PutObjectAnnotation', 's3:PutObjectLegalHold',
  's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionAcl', 's3:PutObjectVersionAnnotation',
  's3:PutObjectVersionTagging', 's3:PutReplicationConfiguration', 's3:PutStorageLensConfiguration',
  's3:PutStorageLensConfigurationTagging',
  's3:ReplicateDelete', 's3:ReplicateObject', 's3:ReplicateObjectAnnotation', 's3:ReplicateTags', 's3:RestoreObject',
  's3:SubmitMultiRegionAccessPointRoutes',
  's3:TagResource', 's3:UntagResource', 's3:UpdateAccessGrantsLocation', 's3:UpdateBucketMetadataAnnotationTableConfiguration',
  's3:UpdateBucketMetadataInventoryTableConfiguration', 's3:UpdateBucketMetadataJournalTableConfiguration',
  's3:UpdateJobPriority', 's3:UpdateJobStatus', 's3:UpdateObjectEncryption', 's3:UpdateStorageLensGroup',
] as const;

/** S3 actions MinIO adds for its own APIs; policies written for MinIO name them. */
export const MINIO_S3_ACTIONS = [
  's3:DeleteBucketCors', 's3:ForceDeleteBucket', 's3:ListenBucketNotification', 's3:ListenNotification',
  's3:PutObjectFanOut', 's3:ResetBucketReplicationState',
] as const;

/** The administrative API, by MinIO's names, so its policies carry over. */
export const ADMIN_ACTIONS = [
  'admin:AddUserToGroup', 'admin:AttachUserOrGroupPolicy', 'admin:BandwidthMonitor', 'admin:CancelBatchJob',
  'admin:ChangeMyPassword', 'admin:ClusterInfo', 'admin:ConfigUpdate', 'admin:ConsoleLog', 'admin:CreatePolicy',
  'admin:CreateServiceAccount', 'admin:CreateUser', 'admin:DataUsageInfo', 'admin:Decommission', 'admin:DeletePolicy',
  'admin:DeleteUser', 'admin:DescribeBatchJob', 'admin:DisableGroup', 'admin:DisableUser', 'admin:DistJobStatus',
  'admin:DriveInfo', 'admin:DriveList', 'admin:EnableGroup', 'admin:EnableUser', 'admin:ExportBucketMetadata',
  'admin:ExportIAM', 'admin:ForceUnlock', 'admin:GenerateBatchJob', 'admin:GetBucketCompression', 'admin:GetBucketQuota',
  'admin:GetBucketTarget', 'admin:GetGroup', 'admin:GetPolicy', 'admin:GetUser', 'admin:Heal', 'admin:ImportBucketMetadata',
  'admin:ImportIAM', 'admin:InspectData', 'admin:InventoryControl', 'admin:KMSBackup', 'admin:KMSCreateKey', 'admin:KMSEnable',
  'admin:KMSKeyRotate', 'admin:KMSKeyStatus', 'admin:KMSRestore', 'admin:LicenseInfo', 'admin:ListBatchJobs',
  'admin:ListGroups', 'admin:ListServiceAccounts', 'admin:ListTemporaryAccounts', 'admin:ListTier', 'admin:ListUserPolicies',
  'admin:ListUsers', 'admin:NodeInfo', 'admin:NodeList', 'admin:OBDInfo', 'admin:PoolInfo', 'admin:PoolList',
  'admin:Profiling', 'admin:Prometheus', 'admin:ReadAlerts', 'admin:ReadAPILogs', 'admin:ReadAuditLogs', 'admin:ReadErrorLogs',
  'admin:Rebalance', 'admin:RemoveServiceAccount', 'admin:RemoveUserFromGroup', 'admin:ReplicationDiff', 'admin:RevokeTokens', 'admin:ServerInfo',
  'admin:ServerTrace', 'admin:ServerUpdate', 'admin:ServiceCordon', 'admin:ServiceFreeze', 'admin:ServiceRestart',
  'admin:ServiceStop', 'admin:SetBucketCompression', 'admin:SetBucketQuota', 'admin:SetBucketTarget', 'admin:SetInfo',
  'admin:SetTier', 'admin:SiteReplicationAdd', 'admin:SiteReplicationDisable', 'admin:SiteReplicationInfo',
  'admin:SiteReplicationOperation', 'admin:SiteReplicationRemove', 'admin:SiteReplicationResync', 'admin:StartBatchJob',
  'admin:StorageInfo', 'admin:TopLocksInfo', 'admin:UpdatePolicyAssociation', 'admin:UpdateServiceAccount',
] as const;

export const STS_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithClientGrants', 'sts:AssumeRoleWithLDAPIdentity', 'sts:AssumeRoleWithCertificate', 'sts:AssumeRoleWithCustomToken'] as const;

export const ALL_ACTIONS: readonly string[] = [...S3_ACTIONS, ...MINIO_S3_ACTIONS, ...ADMIN_ACTIONS, ...STS_ACTIONS];

const BY_LOWER = new Map(ALL_ACTIONS.map((a) => [a.toLowerCase(), a]));
const LOWER = [...BY_LOWER.keys()];

/** Names people write that are not IAM actions, with what to write instead. */
const NOT_ACTIONS: Record<string, string> = {
  's3:headbucket': 'HeadBucket is authorized as s3:ListBucket',
  's3:headobject': 'HeadObject is authorized as s3:GetObject',
  's3:listobjects': 'ListObjects is authorized as s3:ListBucket',
  's3:listobjectsv2': 'ListObjectsV2 is authorized as s3:ListBucket',
  's3:copyobject': 'CopyObject is authorized as s3:PutObject (and s3:GetObject on the source)',
  's3:uploadpart': 'UploadPart is authorized as s3:PutObject',
  's3:createmultipartupload': 'CreateMultipartUpload is authorized as s3:PutObject',
  's3:completemultipartupload': 'CompleteMultipartUpload is authorized as s3:PutObject',
  's3:listparts': 'ListParts is authorized as s3:ListMultipartUploadParts',
  's3:listbuckets': 'ListBuckets is authorized as s3:ListAllMyBuckets',
  's3:deleteobjects': 'DeleteObjects is authorized as s3:DeleteObject for each key',
};

/** Whether `name` is one concrete action (no wildcards), in any letter case. */
export function isKnownAction(name: string): boolean {
  return BY_LOWER.has(name.toLowerCase());
}

/** Whether a policy's action pattern (with `*` and `?`) covers an action; case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(compileGlob(pattern.toLowerCase()), action.toLowerCase());
}

/** The known actions a pattern covers, as spelled in the lists above. */
export function actionsMatching(pattern: string): string[] {
  const glob = compileGlob(pattern.toLowerCase());
  return LOWER.filter((a) => globMatch(glob, a)).map((a) => BY_LOWER.get(a)!);
}

/**
 * A pattern from a policy's Action or NotAction, checked: a concrete name must
 * be a known action, a wildcard pattern must cover at least one.
 */
export function compileActionPattern(text: string): ActionPattern {
  const glob = compileGlob(text.toLowerCase());
  if (!hasWildcard(glob)) {
    if (!BY_LOWER.has(text.toLowerCase())) {
      const hint = NOT_ACTIONS[text.toLowerCase()];
      throw new PolicyError(`unknown action ${JSON.stringify(text)}${hint ? ` (${hint})` : ''}`);
    }
  } else if (!LOWER.some((a) => globMatch(glob, a))) {
    throw new PolicyError(`the action pattern ${JSON.stringify(text)} matches no known action`);
  }
  return { text, glob };
}
