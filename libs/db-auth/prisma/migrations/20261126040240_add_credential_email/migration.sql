-- AlterTable
ALTER TABLE "credentials" ADD COLUMN     "email" VARCHAR(254),
ALTER COLUMN "password_hash" DROP NOT NULL;
